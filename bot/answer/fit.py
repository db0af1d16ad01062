"""Fit the answer engine's weights and its decision to answer, cross-validated on calibration.jsonl.

    python -m bot.answer.fit              # cross-validate, print per-fold figures, write model.json
    python -m bot.answer.fit --check      # refit and compare with the shipped model.json (exit 1 if it differs)
    python -m bot.answer.fit --by-kind    # the cross-validated figures per kind of question too
    python -m bot.answer.fit --seeds 4    # the cross-validation repeated over 4 fold seeds, to judge a change

The protocol (tests/questions/, the scorer's format):
- `fit.jsonl` and `own.jsonl` are *seen*: the lexicon, the paraphrases and the rules were written
  while reading them, so an engine always looks better on them than it is. They may train the
  weights (they join the training data of every fold) but never score anything.
- `calibration.jsonl` was written later by writers who never saw the engine. It is never read to
  write lexicon entries, rules, synonyms or briefing terms; only to fit the weights and the decision
  to answer, and to judge changes: the folds of the cross-validation are calibration questions,
  each scored by a model fitted without it. Figures are reported as "cross-validated on
  calibration.jsonl".
- `test.jsonl`, the held-out test part, is never read here; nor `holdout.jsonl` to `holdout12.jsonl`,
  each written by more writers and only scored, to measure the engine in the session that added it
  (from `holdout4.jsonl` on, once at its end, beside the engine that session started from). Writers
  of later sessions whose misses were read to find kinds of question that fail joined `fit.jsonl`
  (ids Q-…, U-…, Y1-… to Y3-…).

Seeded and deterministic: the same checkout writes the same file. Inside every fit, the refusal
features of the training questions come from rankers that did not see them (an inner
cross-validation), so the decision to answer is calibrated on questions as unseen as a reader's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from bot.answer.engine import Analysis, Engine
from bot.answer.evaluate import Figures, Question, holds, load_questions, outcome
from bot.answer.features import RANK_FEATURES, REFUSAL_FEATURES, REFUSAL_SIGNS, refusal_features
from bot.answer.lexicon import DATA, Fit
from bot.answer.model import FORMAT, MODEL_FILE, Model, Refusal, Scorer, Unit, rank_scores
from bot.briefing.load import load_briefing
from bot.chat_markup import clean

PROJECT = Path(__file__).resolve().parents[2]
QUESTIONS = PROJECT / "tests" / "questions"
HELD_OUT = "test.jsonl"
# Never fitted on either; measured once when it joined (see the README, "Fitting and measuring").
NEVER_FITTED = (
    HELD_OUT,
    "holdout.jsonl",
    "holdout2.jsonl",
    "holdout3.jsonl",
    "holdout4.jsonl",
    "holdout5.jsonl",
    "holdout6.jsonl",
    "holdout7.jsonl",
    "holdout8.jsonl",
    "holdout9.jsonl",
    "holdout10.jsonl",
    "holdout11.jsonl",
    "holdout12.jsonl",
)
# Seen while the lexicon and rules were written: training data only.
SEEN = ("fit.jsonl", "own.jsonl")
# Never read to write the lexicon: the folds that score.
CALIBRATION = "calibration.jsonl"


def fitting_files() -> list[Path]:
    return [QUESTIONS / name for name in (*SEEN, CALIBRATION)]


Array = npt.NDArray[np.float64]


@dataclass
class Example:
    question: Question
    analysis: Analysis
    # Which candidates hold the expected answer.
    positive: npt.NDArray[np.bool_]
    # The question file it comes from (its weight in each fit: settings.yaml, fit.weights).
    source: str = ""


def prepare(engine: Engine, questions: Sequence[Question], source: str = "") -> list[Example]:
    examples = []
    for question in questions:
        analysis = engine.analyse(clean(question.q))
        if question.answerable:
            positive = np.array([holds(question.expect, c.text) for c in analysis.candidates], dtype=bool)
        else:
            positive = np.zeros(len(analysis.candidates), dtype=bool)
        examples.append(Example(question, analysis, positive, source))
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


@dataclass
class Ranker:
    """Fitted ranking weights: linear ones, one per rank feature, and the hidden layer's (units ×
    features) weights, biases and output weights; all on the features as the engine computes them."""

    weights: Array
    hidden_in: Array
    hidden_bias: Array
    hidden_out: Array

    def __call__(self, features: Array) -> Array:
        """The candidates' scores, as `Scorer.rank` gives them."""
        return rank_scores(features, self.weights, self.hidden_in, self.hidden_bias, self.hidden_out)


def fit_ranker(examples: Sequence[Example], fit: Fit) -> Ranker:
    """Weights making a right candidate likeliest under a softmax over each question's candidates."""
    usable = [e for e in examples if 0 < e.positive[e.analysis.pinned :].sum() < len(e.positive) - e.analysis.pinned]
    usable = [e for e in usable if fit.weight("rank", e.source) > 0]
    d, h = len(RANK_FEATURES), fit.hidden_units
    if not usable:
        return Ranker(np.zeros(d), np.zeros((0, d)), np.zeros(0), np.zeros(0))
    sample = np.array([fit.weight("rank", e.source) for e in usable])
    sample /= sample.mean()
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
    # Candidates as rows of one matrix (standardised features); the linear weights and the hidden
    # units' stacked as the rows of another: the fit is two matrix products a step.
    flat = np.ascontiguousarray((x / scale).reshape(-1, d))
    rng = np.random.default_rng(fit.seed)
    stacked = np.vstack([np.zeros(d), rng.normal(0.0, fit.hidden_init, (h, d))])
    params = [stacked, np.zeros(h), rng.normal(0.0, fit.hidden_init, h)]
    l2 = [np.array([fit.rank_l2] + [fit.hidden_l2] * h)[:, None], 0.0, fit.hidden_l2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2 = 0.9, 0.999
    for step in range(1, fit.rank_steps + 1):
        # The step size falls to nothing by the last step (cosine): with a constant one, Adam ends
        # circling the optimum, where it stops depends on the last digits of the arithmetic, and a
        # refit on another machine's numpy differed by 5 % in the hidden weights.
        rate = fit.rank_learning_rate * 0.5 * (1 + math.cos(math.pi * (step - 1) / fit.rank_steps))
        stacked, hidden_bias, hidden_out = params
        sums = flat @ stacked.T
        units = np.tanh(sums[:, 1:] + hidden_bias)
        s = (sums[:, 0] + units @ hidden_out).reshape(len(usable), width)
        s = np.where(valid, s, -np.inf)
        s -= s.max(axis=1, keepdims=True)
        e_all = np.where(valid, np.exp(s), 0.0)
        e_pos = np.where(positive, e_all, 0.0)
        p_all = e_all / e_all.sum(axis=1, keepdims=True)
        p_pos = e_pos / e_pos.sum(axis=1, keepdims=True)
        # The loss's gradient by each candidate's score, then by each parameter (back through tanh).
        by_score = (sample[:, None] * (p_all - p_pos)).reshape(-1) / len(usable)
        by_unit = by_score[:, None] * hidden_out * (1 - units**2)
        by_sum = np.column_stack([by_score, by_unit])
        grads = [by_sum.T @ flat, by_unit.sum(axis=0), by_score @ units]
        for i, g in enumerate(grads):
            g = g + l2[i] * params[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g**2
            params[i] = params[i] - rate * (m[i] / (1 - beta1**step)) / (np.sqrt(v[i] / (1 - beta2**step)) + 1e-8)
    stacked, hidden_bias, hidden_out = params
    w, hidden_in = stacked[0], stacked[1:]
    # Back to the features as the engine computes them (unstandardised).
    return Ranker(w / scale, hidden_in / scale, hidden_bias, hidden_out)


# -- the decision to answer: logistic regression and a cost-minimising threshold ---------------------


def refusal_rows(engine: Engine, examples: Sequence[Example], ranker: Ranker) -> tuple[list[int], Array]:
    """Refusal features of the examples that go through the calibrated decision."""
    index, rows, vectors = engine.index, [], []
    for i, e in enumerate(examples):
        a = e.analysis
        if a.mode != "ranked" or a.query is None or not a.candidates:
            continue
        scores = ranker(a.features)
        order = sorted(range(len(a.candidates)), key=lambda k: -scores[k])
        rows.append(i)
        best = engine.profiles(a.candidates[order[0]])
        vectors.append(refusal_features(index, a.query, a.features, scores, order, best))
    return rows, np.array(vectors).reshape(len(vectors), len(REFUSAL_FEATURES))


def fit_logistic(
    x: Array, y: Array, l2: float, signs: Array | None = None, sample: Array | None = None
) -> tuple[Array, Array, Array, float]:
    """L2-regularised logistic regression by Newton's method, each row weighing `sample` (1 by
    default); a coefficient with a sign (+1 or -1 in `signs`) is kept on that side of zero
    (projected Newton, the bound held while the gradient pushes against it)."""
    sample = np.ones(len(x)) if sample is None else sample
    mean = np.average(x, axis=0, weights=sample)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=sample))
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    design = np.hstack([z, np.ones((len(z), 1))])
    beta = np.zeros(design.shape[1])
    sign = np.zeros(design.shape[1]) if signs is None else np.append(signs, 0.0)
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(200):
        p = 1 / (1 + np.exp(-(design @ beta)))
        gradient = design.T @ (sample * (p - y)) + penalty * beta
        curvature = sample * p * (1 - p)
        hessian = (design * curvature[:, None]).T @ design + np.diag(penalty) + 1e-9 * np.eye(len(beta))
        free = ~((beta == 0) & (sign * gradient > 0))
        step = np.zeros(len(beta))
        step[free] = np.linalg.solve(hessian[np.ix_(free, free)], gradient[free])
        beta -= step
        wrong = sign * beta < 0
        beta[wrong] = 0.0
        if np.abs(step).max() < 1e-10:
            break
    return mean, scale, beta[:-1], float(beta[-1])


def choose_threshold(
    p: Array, examples: Sequence[Example], right: Sequence[bool], fit: Fit, sample: Array | None = None
) -> float:
    """The threshold with the least cost of mistakes (each question's cost times its weight in
    `sample`); `right` says whether answering gives the right snippet in the first three."""
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
    if sample is not None:
        unit, refuse = unit * sample, refuse * sample
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
    ranker = fit_ranker(examples, fit)
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
    sample = np.array([fit.weight("refusal", examples[i].source) for i in rows])
    keep = sample > 0
    x, sample = x[keep], sample[keep]
    chosen = [examples[i] for i, k in zip(rows, keep, strict=True) if k]
    y = np.array([e.question.answerable for e in chosen], dtype=float)
    signs = np.array([REFUSAL_SIGNS.get(n, 0) for n in REFUSAL_FEATURES], dtype=np.float64)
    mean, scale, coef, intercept = fit_logistic(x, y, fit.refusal_l2, signs, sample)
    p = 1 / (1 + np.exp(-(((x - mean) / scale) @ coef + intercept)))
    right = [_top3_right(e, ranker) for e in chosen]
    threshold = choose_threshold(p, chosen, right, fit, sample)
    names = REFUSAL_FEATURES
    return Model(
        format=FORMAT,
        version=version,
        rank={n: _round(w) for n, w in zip(RANK_FEATURES, ranker.weights, strict=True)},
        hidden=tuple(
            Unit(weights={n: _round(w) for n, w in zip(RANK_FEATURES, row, strict=True)}, bias=_round(b), out=_round(o))
            for row, b, o in zip(ranker.hidden_in, ranker.hidden_bias, ranker.hidden_out, strict=True)
        ),
        refusal=Refusal(
            mean={n: _round(v) for n, v in zip(names, mean, strict=True)},
            scale={n: _round(v) for n, v in zip(names, scale, strict=True)},
            coef={n: _round(v) for n, v in zip(names, coef, strict=True)},
            intercept=_round(intercept),
            threshold=_round(threshold),
        ),
    )


def _top3_right(example: Example, ranker: Ranker) -> bool:
    a = example.analysis
    if not example.question.answerable or not len(a.candidates):
        return False
    scores = ranker(a.features)
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


# -- the command -----------------------------------------------------------------------------------


@dataclass
class CrossValidation:
    per_fold: list[tuple[int, Figures]]
    pooled: list[tuple[Question, str]]
    log: list[dict[str, object]]


def _fold(
    engine: Engine, seen: Sequence[Example], calibration: Sequence[Example], fit: Fit, seed: int, k: int
) -> tuple[list[tuple[Question, str]], list[dict[str, object]]]:
    folds = assign_folds([e.question for e in calibration], fit.folds, seed)
    train = [*seen, *(e for e, f in zip(calibration, folds, strict=True) if f != k)]
    held = [e for e, f in zip(calibration, folds, strict=True) if f == k]
    log: list[dict[str, object]] = []
    return evaluate(engine, fit_model(engine, train, fit), held, log), log


def _gathered(folds: Sequence[tuple[list[tuple[Question, str]], list[dict[str, object]]]]) -> CrossValidation:
    per_fold = [(k + 1, Figures.of(results)) for k, (results, _) in enumerate(folds)]
    return CrossValidation(per_fold, [r for results, _ in folds for r in results], [e for _, log in folds for e in log])


# The fitting's work, shared with the processes that do it: set before they fork, read only in them.
_SHARED: tuple[Engine, list[Example], list[Example], Fit] | None = None


def _task(task: tuple[int, int]) -> object:
    """One fold of one fold seed's cross-validation, or (seed -1) the shipped model from every question."""
    assert _SHARED is not None
    engine, seen, calibration, fit = _SHARED
    seed, k = task
    if seed < 0:
        return fit_model(engine, [*seen, *calibration], fit)
    return _fold(engine, seen, calibration, fit, seed, k)


def fit_all(
    engine: Engine, seen: list[Example], calibration: list[Example], fit: Fit, seeds: int
) -> tuple[list[CrossValidation], Model]:
    """The cross-validation over `seeds` fold seeds and the model fitted on every question, their
    folds fitted side by side, one process per core (each fold is seeded on its own: the same
    results in any order)."""
    global _SHARED
    tasks = [(fit.seed + s, k) for s in range(seeds) for k in range(fit.folds)] + [(-1, 0)]
    _SHARED = (engine, seen, calibration, fit)
    # The fit's matrices are long and thin: BLAS threads only wait on one another (a fit took three
    # times as long with them), and each process already has a core.
    limits = threadpool_limits(1, user_api="blas")
    try:
        workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                done = list(pool.map(_task, tasks))
        else:
            done = [_task(t) for t in tasks]
    finally:
        _SHARED = None
        limits.restore_original_limits()
    model = done.pop()
    assert isinstance(model, Model)
    folds = [cast(tuple[list[tuple[Question, str]], list[dict[str, object]]], d) for d in done]
    runs = [_gathered(folds[s * fit.folds : (s + 1) * fit.folds]) for s in range(seeds)]
    return runs, model


def by_kind(pooled: Sequence[tuple[Question, str]]) -> str:
    """The pooled outcomes per kind of question (the writers' `style`)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for question, result in pooled:
        groups.setdefault((question.kind, question.style or "-"), []).append(result)
    lines = [f"{'kind':34s} {'n':>4s} {'first':>6s} {'top-3':>6s} {'refused':>8s}"]
    for (kind, style), results in sorted(groups.items()):
        n = len(results)
        first = sum(r == "first" for r in results)
        top3 = sum(r in ("first", "top3") for r in results)
        refused = sum(r == "refused" for r in results)
        label = f"{kind + ' ' + style:34s} {n:4d}"
        if kind == "in_scope":
            lines.append(f"{label} {100 * first / n:5.1f}% {100 * top3 / n:5.1f}% {100 * refused / n:7.1f}%")
        else:
            lines.append(f"{label} {'':6s} {'':6s} {100 * refused / n:7.1f}%")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--seen", type=Path, nargs="*", help="question files that train every fold, never scored (default: fit, own)"
    )
    parser.add_argument(
        "--calibration", type=Path, help="question file whose folds train and score (default: calibration.jsonl)"
    )
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    parser.add_argument("--log", type=Path, help="write each calibration question's cross-validated outcome here")
    parser.add_argument("--by-kind", action="store_true", help="print the cross-validated figures per kind of question")
    parser.add_argument("--seeds", type=int, default=1, help="repeat the cross-validation over this many fold seeds")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    seen_files = args.seen if args.seen is not None else [QUESTIONS / n for n in SEEN]
    calibration_file = args.calibration or QUESTIONS / CALIBRATION
    held = next((p.name for p in [*seen_files, calibration_file] if p.name in NEVER_FITTED), None)
    if held is not None:
        parser.error(f"{held} is held out: never fit on it")
    seen_files = [p for p in seen_files if p.exists()]
    engine = Engine(load_briefing(PROJECT))
    fit = engine.settings.fit
    seen = [e for p in seen_files for e in prepare(engine, load_questions(p), p.name)]
    calibration = prepare(engine, load_questions(calibration_file), calibration_file.name)
    files = [*seen_files, calibration_file]
    reachable = sum(bool(e.positive.any()) for e in calibration if e.question.answerable)
    answerable = sum(e.question.answerable for e in calibration)
    print(f"seen (train every fold, never scored): {', '.join(_rel(p) for p in seen_files) or 'none'} ({len(seen)})")
    print(f"calibration (folds that score): {_rel(calibration_file)} ({len(calibration)})")
    print(f"right answer among the candidates: {reachable}/{answerable} calibration questions")

    runs, model = fit_all(engine, seen, calibration, fit, max(1, args.seeds))
    main_run = runs[0]
    print(f"cross-validated on {calibration_file.name}, fold seed {fit.seed}:")
    for k, figures in main_run.per_fold:
        print(f"  fold {k}: {figures.line()}")
    total = Figures.of(main_run.pooled)
    print(f"  all folds: {total.line()}")
    if len(runs) > 1:
        mean = {n: float(np.mean([Figures.of(r.pooled).percent()[n] for r in runs])) for n in total.percent()}
        print(f"mean over {len(runs)} fold seeds: " + "  ".join(f"{n} {v:.1f}%" for n, v in mean.items()))
    if args.by_kind:
        print(by_kind([pair for r in runs for pair in r.pooled]))
    if args.log:
        text = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in main_run.log)
        args.log.write_text(text, encoding="utf-8")

    inputs = hashlib.sha256()
    for path in [*files, DATA / "lexicon.yaml", DATA / "settings.yaml"]:
        inputs.update(path.read_bytes())
    inputs.update(engine.briefing.version.encode())
    inputs.update(" ".join((*RANK_FEATURES, *REFUSAL_FEATURES)).encode())
    fitted = {
        "questions": {_rel(p): sum(1 for line in p.read_text().splitlines() if line.strip()) for p in files},
        "scored_on": _rel(calibration_file),
        "briefing": engine.briefing.version,
        "folds": fit.folds,
        "seed": fit.seed,
        "cross_validation": [{"fold": k, **_percent(f)} for k, f in main_run.per_fold],
        "cross_validation_all": _percent(total),
    }
    model = model.model_copy(update={"version": f"{FORMAT}.{inputs.hexdigest()[:12]}", "fitted": fitted})
    text = json.dumps(model.model_dump(), indent=2, ensure_ascii=False) + "\n"
    elapsed = time.perf_counter() - started
    if args.check:
        shipped = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        made = json.loads(text)
        same = shipped.get("fitted") == made["fitted"] and same_model(shipped, made)
        print(f"{'same as' if same else 'DIFFERS from'} {_rel(args.out)} ({elapsed:.1f} s)")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {_rel(args.out)} (model {model.version}) in {elapsed:.1f} s")
    return 0


def _percent(figures: Figures) -> dict[str, float]:
    return {n: round(v, 1) for n, v in figures.percent().items()}


def same_model(shipped: object, made: object, tolerance: float = 1e-2) -> bool:
    """The same model, numbers equal up to `tolerance` (relative, or absolute near zero): linear
    algebra libraries round the last digits differently from one machine to the next, and 600 steps
    of gradient descent carry that on (a fresh install's numpy against the one that wrote the shipped model: 0.4 % apart
    at most). Strings, such as the inputs' hash in the version, are compared exactly; so is `fitted`,
    the cross-validated figures (main)."""
    if isinstance(shipped, dict) and isinstance(made, dict):
        return shipped.keys() == made.keys() and all(same_model(shipped[k], made[k], tolerance) for k in shipped)
    if isinstance(shipped, list) and isinstance(made, list):
        pairs = zip(shipped, made, strict=True) if len(shipped) == len(made) else None
        return pairs is not None and all(same_model(a, b, tolerance) for a, b in pairs)
    if isinstance(shipped, (int, float)) and isinstance(made, (int, float)) and not isinstance(shipped, bool):
        return abs(shipped - made) <= tolerance * max(1.0, abs(shipped), abs(made))
    return shipped == made


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
