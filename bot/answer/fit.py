"""Fit the answer engine's weights and its decision to answer, with k-fold cross-validation.

    python -m bot.answer.fit            # fit on the fitting questions, print per-fold figures, write model.json
    python -m bot.answer.fit --check    # refit and compare with the shipped model.json (exit 1 if it differs)

Fitting questions: every tests/questions/*.jsonl but test.jsonl (the scorer's format): our own
set (own.jsonl) and the fitting part of the set written blind (fit.jsonl). The held-out test part
(tests/questions/test.jsonl) is never read here. Seeded and deterministic: the
same checkout writes the same file.

Each fold's figures come from a model fitted without that fold. Inside every fit, the refusal
features of the training questions are computed with rankers that did not see them (an inner
cross-validation), so the decision to answer is calibrated on questions as unseen as a reader's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.answer.engine import Analysis, Engine
from bot.answer.evaluate import Figures, Question, holds, load_questions, outcome
from bot.answer.features import RANK_FEATURES, REFUSAL_FEATURES, REFUSAL_SIGNS, refusal_features
from bot.answer.lexicon import DATA, Fit
from bot.answer.model import FORMAT, MODEL_FILE, Model, Refusal, Scorer
from bot.briefing.load import load_briefing
from bot.chat_markup import clean

PROJECT = Path(__file__).resolve().parents[2]
QUESTIONS = PROJECT / "tests" / "questions"
HELD_OUT = "test.jsonl"


def fitting_files() -> list[Path]:
    return sorted(p for p in QUESTIONS.glob("*.jsonl") if p.name != HELD_OUT)

Array = npt.NDArray[np.float64]


@dataclass
class Example:
    question: Question
    analysis: Analysis
    # Which candidates hold the expected answer.
    positive: npt.NDArray[np.bool_]


def prepare(engine: Engine, questions: Sequence[Question]) -> list[Example]:
    examples = []
    for question in questions:
        analysis = engine.analyse(clean(question.q))
        if question.answerable:
            positive = np.array([holds(question.expect, c.text) for c in analysis.candidates], dtype=bool)
        else:
            positive = np.zeros(len(analysis.candidates), dtype=bool)
        examples.append(Example(question, analysis, positive))
    return examples


def assign_folds(questions: Sequence[Question], folds: int, seed: int) -> npt.NDArray[np.int64]:
    """Stratified by kind and style: each fold gets its share of every kind of question."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(questions), dtype=np.int64)
    strata: dict[tuple[str, str], list[int]] = {}
    for i, q in enumerate(questions):
        strata.setdefault((q.kind, q.style or ""), []).append(i)
    offset = 0
    for key in sorted(strata):
        members = np.array(strata[key])
        rng.shuffle(members)
        for rank, i in enumerate(members):
            fold[i] = (rank + offset) % folds
        offset += len(members)
    return fold


# -- the ranker: listwise softmax over each question's candidates ------------------------------------


def fit_ranker(examples: Sequence[Example], fit: Fit) -> Array:
    """Weights (one per rank feature) making a right candidate likeliest under a softmax."""
    usable = [e for e in examples if 0 < e.positive[e.analysis.pinned :].sum() < len(e.positive) - e.analysis.pinned]
    d = len(RANK_FEATURES)
    if not usable:
        return np.zeros(d)
    width = max(len(e.analysis.candidates) - e.analysis.pinned for e in usable)
    x = np.zeros((len(usable), width, d))
    valid = np.zeros((len(usable), width), dtype=bool)
    positive = np.zeros((len(usable), width), dtype=bool)
    for q, e in enumerate(usable):
        rows = e.analysis.features[e.analysis.pinned :]
        x[q, : len(rows)] = rows
        valid[q, : len(rows)] = True
        positive[q, : len(rows)] = e.positive[e.analysis.pinned :]
    scale = x[valid].std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = x / scale
    w = np.zeros(d)
    m, v = np.zeros(d), np.zeros(d)
    beta1, beta2 = 0.9, 0.999
    for step in range(1, fit.rank_steps + 1):
        s = np.einsum("qkd,d->qk", x, w)
        s = np.where(valid, s, -np.inf)
        s -= s.max(axis=1, keepdims=True)
        e_all = np.where(valid, np.exp(s), 0.0)
        e_pos = np.where(positive, e_all, 0.0)
        p_all = e_all / e_all.sum(axis=1, keepdims=True)
        p_pos = e_pos / e_pos.sum(axis=1, keepdims=True)
        grad = np.einsum("qk,qkd->d", p_all - p_pos, x) / len(usable) + fit.rank_l2 * w
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        w -= fit.rank_learning_rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return np.asarray(w / scale, dtype=np.float64)


# -- the decision to answer: logistic regression and a cost-minimising threshold ---------------------


def refusal_rows(engine: Engine, examples: Sequence[Example], weights: Array) -> tuple[list[int], Array]:
    """Refusal features of the examples that go through the calibrated decision."""
    index, rows, vectors = engine.index, [], []
    for i, e in enumerate(examples):
        a = e.analysis
        if a.mode != "ranked" or a.query is None or not a.candidates:
            continue
        scores = a.features @ weights
        order = sorted(range(len(a.candidates)), key=lambda k: -scores[k])
        rows.append(i)
        best = engine.profiles(a.candidates[order[0]])
        vectors.append(refusal_features(index, a.query, a.features, scores, a.bm25, order, best))
    return rows, np.array(vectors).reshape(len(vectors), len(REFUSAL_FEATURES))


def fit_logistic(
    x: Array, y: Array, l2: float, signs: Array | None = None
) -> tuple[Array, Array, Array, float]:
    """L2-regularised logistic regression by Newton's method; a coefficient with a sign (+1 or -1 in
    `signs`) is kept on that side of zero (projected Newton, the bound held while the gradient
    pushes against it)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    design = np.hstack([z, np.ones((len(z), 1))])
    beta = np.zeros(design.shape[1])
    sign = np.zeros(design.shape[1]) if signs is None else np.append(signs, 0.0)
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(200):
        p = 1 / (1 + np.exp(-(design @ beta)))
        gradient = design.T @ (p - y) + penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty) + 1e-9 * np.eye(len(beta))
        free = ~((beta == 0) & (sign * gradient > 0))
        step = np.zeros(len(beta))
        step[free] = np.linalg.solve(hessian[np.ix_(free, free)], gradient[free])
        beta -= step
        wrong = sign * beta < 0
        beta[wrong] = 0.0
        if np.abs(step).max() < 1e-10:
            break
    return mean, scale, beta[:-1], float(beta[-1])


def choose_threshold(p: Array, examples: Sequence[Example], right: Sequence[bool], fit: Fit) -> float:
    """The threshold with the least cost of mistakes; `right` says whether answering gives the
    right snippet in the first three."""
    costs = fit.costs
    unit = np.zeros(len(p))  # cost if answered
    refuse = np.zeros(len(p))  # cost if refused
    for i, e in enumerate(examples):
        kind = e.question.kind
        if kind == "in_scope":
            refuse[i] = costs["wrongly_refused"]
            unit[i] = 0.0 if right[i] else costs["wrong_answer"]
        else:
            unit[i] = costs["answered_off_topic" if kind == "out_of_scope" else "answered_near_topic"]
    # The cost of each threshold counted with a soft step (a question this close to it could fall
    # either way on a reader's wording), so the threshold sits inside a stretch of low cost rather
    # than on the edge of one.
    cuts = np.linspace(0.0, 1.0, 401)
    logit = np.log(np.clip(p, 1e-9, 1 - 1e-9) / np.clip(1 - p, 1e-9, 1.0))
    best, best_cost = 0.5, np.inf
    for t in cuts:
        edge = np.log(max(t, 1e-9) / max(1 - t, 1e-9))
        answered = 1 / (1 + np.exp(-(logit - edge) / fit.threshold_softness))
        cost = float(unit @ answered + refuse @ (1 - answered))
        if cost < best_cost - 1e-12:
            best, best_cost = float(t), cost
    return best


def fit_model(engine: Engine, examples: Sequence[Example], fit: Fit, version: str = "cv") -> Model:
    """A model from these examples alone. Refusal features of each come from a ranker that did not
    see it (inner folds), as they will for a reader's question."""
    weights = fit_ranker(examples, fit)
    inner = assign_folds([e.question for e in examples], fit.folds, fit.seed + 1)
    rows: list[int] = []
    vectors: list[Array] = []
    for k in range(fit.folds):
        train = [e for e, f in zip(examples, inner, strict=True) if f != k]
        held = [i for i, f in enumerate(inner) if f == k]
        held_rows, held_vectors = refusal_rows(engine, [examples[i] for i in held], fit_ranker(train, fit))
        rows += [held[r] for r in held_rows]
        vectors.append(held_vectors)
    x = np.vstack(vectors)
    chosen = [examples[i] for i in rows]
    y = np.array([e.question.answerable for e in chosen], dtype=float)
    signs = np.array([REFUSAL_SIGNS.get(n, 0) for n in REFUSAL_FEATURES], dtype=np.float64)
    mean, scale, coef, intercept = fit_logistic(x, y, fit.refusal_l2, signs)
    p = 1 / (1 + np.exp(-(((x - mean) / scale) @ coef + intercept)))
    right = [_top3_right(e, weights) for e in chosen]
    threshold = choose_threshold(p, chosen, right, fit)
    names = REFUSAL_FEATURES
    return Model(
        format=FORMAT,
        version=version,
        rank={n: _round(w) for n, w in zip(RANK_FEATURES, weights, strict=True)},
        refusal=Refusal(
            mean={n: _round(v) for n, v in zip(names, mean, strict=True)},
            scale={n: _round(v) for n, v in zip(names, scale, strict=True)},
            coef={n: _round(v) for n, v in zip(names, coef, strict=True)},
            intercept=_round(intercept),
            threshold=_round(threshold),
        ),
    )


def _top3_right(example: Example, weights: Array) -> bool:
    a = example.analysis
    if not example.question.answerable or not len(a.candidates):
        return False
    scores = a.features @ weights
    order = list(range(a.pinned)) + sorted(range(a.pinned, len(a.candidates)), key=lambda k: -scores[k])
    return bool(example.positive[order[:3]].any())


def _ranked_outcome(example: Example, scorer: Scorer) -> str:
    """The outcome had the question been answered (the ranking alone)."""
    a = example.analysis
    if not len(a.candidates):
        return outcome(example.question, False, [])
    scores = scorer.rank(a.features)
    order = list(range(a.pinned)) + sorted(range(a.pinned, len(a.candidates)), key=lambda k: -scores[k])
    return outcome(example.question, True, [a.candidates[i].text for i in order[:3]])


def _round(value: float) -> float:
    return float(round(float(value), 5))


def evaluate(
    engine: Engine, model: Model, examples: Sequence[Example], log: list[dict[str, object]] | None = None
) -> list[tuple[Question, str]]:
    scorer = Scorer(model)
    results = []
    for e in examples:
        answer = engine.decide(e.analysis, scorer)
        result = outcome(e.question, answer.answered, [h.text for h in answer.hits])
        results.append((e.question, result))
        if log is not None:
            shown = answer.hits or answer.related
            log.append(
                {
                    "id": e.question.id,
                    "style": e.question.style,
                    "q": e.question.q,
                    "outcome": result,
                    "ranked": _ranked_outcome(e, scorer),
                    "mode": e.analysis.mode,
                    "p": None if answer.confidence is None else round(answer.confidence, 3),
                    "reason": answer.reason,
                    "expect": e.question.expect,
                    "got": [f"{h.id}: {h.text[:150]}" for h in shown[:3]],
                    "right_in_pool": [c.id for c, ok in zip(e.analysis.candidates, e.positive, strict=True) if ok][:5],
                }
            )
    return results


# -- the command ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, nargs="*", help="fitting question files (default: ours)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    parser.add_argument("--log", type=Path, help="write each question's cross-validated outcome here (JSON lines)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    asked = args.questions or fitting_files()
    if any(p.name == HELD_OUT for p in asked):
        parser.error(f"{HELD_OUT} is the held-out test part: never fit on it")
    files = [p for p in asked if p.exists()]
    questions = [q for p in files for q in load_questions(p)]
    engine = Engine(load_briefing(PROJECT))
    fit = engine.settings.fit
    examples = prepare(engine, questions)
    folds = assign_folds(questions, fit.folds, fit.seed)
    reachable = sum(bool(e.positive.any()) for e in examples if e.question.answerable)
    answerable = sum(e.question.answerable for e in examples)
    print(f"{len(questions)} fitting questions from {', '.join(_rel(p) for p in files)}")
    print(f"right answer among the candidates: {reachable}/{answerable}")

    per_fold: list[dict[str, object]] = []
    pooled: list[tuple[Question, str]] = []
    log: list[dict[str, object]] = []
    for k in range(fit.folds):
        train = [e for e, f in zip(examples, folds, strict=True) if f != k]
        held = [e for e, f in zip(examples, folds, strict=True) if f == k]
        results = evaluate(engine, fit_model(engine, train, fit), held, log)
        pooled += results
        figures = Figures.of(results)
        print(f"fold {k + 1}: {figures.line()}")
        per_fold.append({"fold": k + 1, **{n: round(v, 1) for n, v in figures.percent().items()}})
    total = Figures.of(pooled)
    if args.log:
        args.log.write_text("".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in log), encoding="utf-8")
    print(f"all folds: {total.line()}")

    inputs = hashlib.sha256()
    for path in [*files, DATA / "lexicon.yaml", DATA / "settings.yaml"]:
        inputs.update(path.read_bytes())
    inputs.update(engine.briefing.version.encode())
    inputs.update(" ".join((*RANK_FEATURES, *REFUSAL_FEATURES)).encode())
    model = fit_model(engine, examples, fit)
    fitted = {
        "questions": {_rel(p): sum(1 for line in p.read_text().splitlines() if line.strip()) for p in files},
        "briefing": engine.briefing.version,
        "folds": fit.folds,
        "seed": fit.seed,
        "cross_validation": per_fold,
        "cross_validation_all": {n: round(v, 1) for n, v in total.percent().items()},
    }
    model = model.model_copy(update={"version": f"{FORMAT}.{inputs.hexdigest()[:12]}", "fitted": fitted})
    text = json.dumps(model.model_dump(), indent=2, ensure_ascii=False) + "\n"
    elapsed = time.perf_counter() - started
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{'same as' if same else 'DIFFERS from'} {_rel(args.out)} ({elapsed:.1f} s)")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {_rel(args.out)} (model {model.version}) in {elapsed:.1f} s")
    return 0


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
