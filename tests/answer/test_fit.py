"""The shipped model is exactly what the fitting script makes from this checkout."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from bot.answer import fit
from bot.answer.engine import Analysis
from bot.answer.evaluate import Question, load_questions
from bot.answer.features import RANK_FEATURES
from bot.answer.lexicon import load_settings
from bot.answer.model import Scorer, load_model


def test_the_fitting_script_reproduces_the_shipped_model(capsys: pytest.CaptureFixture[str]) -> None:
    status = fit.main(["--check"])
    out = capsys.readouterr().out
    assert status == 0, "model.json is not what `python -m bot.answer.fit` makes now: refit\n" + out
    assert "fold 1:" in out and "all folds:" in out


# What the fitting sees of every fitting question: its candidates, in order, and their features.
_DIGEST = """
import hashlib
from bot.answer import fit
from bot.answer.engine import Engine
from bot.answer.evaluate import load_questions
from bot.briefing.load import load_briefing
engine = Engine(load_briefing(fit.PROJECT))
digest = hashlib.sha256()
for path in fit.fitting_files():
    for example in fit.prepare(engine, load_questions(path)):
        a = example.analysis
        digest.update(repr([c.text for c in a.candidates]).encode())
        digest.update(a.features.tobytes())
print(digest.hexdigest())
"""


def test_the_engine_reads_questions_the_same_whatever_the_hash_seed() -> None:
    """Python salts string hashes per process: a sum or an order taken from a set would make a refit
    differ from run to run, and the check above fail on some runs and not others."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _DIGEST],
            cwd=fit.PROJECT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2")
    ]
    digests = [run.communicate(timeout=300)[0].strip() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert digests[0] == digests[1]


@pytest.mark.parametrize("held", fit.NEVER_FITTED)
def test_the_fitting_script_never_reads_the_held_out_parts(held: str) -> None:
    assert all(p.name != held for p in fit.fitting_files())
    with pytest.raises(SystemExit):
        fit.main(["--calibration", str(fit.QUESTIONS / held), "--check"])
    with pytest.raises(SystemExit):
        fit.main(["--seen", str(fit.QUESTIONS / held), "--check"])


def test_figures_are_cross_validated_on_calibration_questions_only() -> None:
    """The seen questions (the lexicon was written from them) train every fold and score none."""
    fitted = load_model().fitted
    assert fitted["scored_on"] == f"tests/questions/{fit.CALIBRATION}"
    assert set(fitted["questions"]) == {f"tests/questions/{n}" for n in (*fit.SEEN, fit.CALIBRATION)}
    calibration = load_questions(fit.QUESTIONS / fit.CALIBRATION)
    folds = fit.assign_folds(calibration, fitted["folds"], fitted["seed"])
    assert sorted(set(folds.tolist())) == list(range(fitted["folds"]))


def test_a_model_that_differs_only_in_the_last_digits_is_the_same() -> None:
    assert fit.same_model({"w": [1.00001, {"b": 2.0}], "v": "x"}, {"w": [1.0, {"b": 2.00002}], "v": "x"})
    assert not fit.same_model({"w": [1.0]}, {"w": [1.1]})
    assert not fit.same_model({"v": "x"}, {"v": "y"})


def test_folds_are_stratified_and_seeded() -> None:
    questions = [Question(f"q{i}", "q", kind) for i, kind in enumerate(["in_scope"] * 50 + ["near_scope"] * 20)]
    a = fit.assign_folds(questions, 5, 7)
    assert list(a) == list(fit.assign_folds(questions, 5, 7))
    near = [f for q, f in zip(questions, a, strict=True) if q.kind == "near_scope"]
    assert sorted(near.count(k) for k in range(5)) == [4, 4, 4, 4, 4]


def test_the_shipped_model_records_its_cross_validation() -> None:
    fitted = load_model().fitted
    assert len(fitted["cross_validation"]) == fitted["folds"]
    assert "own.jsonl" in " ".join(fitted["questions"])


def test_the_shipped_ranker_scores_as_it_was_fitted() -> None:
    """The model file's hidden layer is applied to the features as the engine computes them: the
    scores of the shipped Scorer are the fitted ranker's (up to the file's rounding)."""
    model = load_model()
    assert model.hidden, "the shipped ranker has hidden units (settings.yaml: fit.hidden_units)"
    w = model.rank_weights()
    hidden_in, bias, out = model.hidden_arrays()
    ranker = fit.Ranker(w, hidden_in, bias, out)
    features = np.random.default_rng(7).uniform(0, 3, (16, len(w)))
    scores = Scorer(model).rank(features)
    assert np.allclose(scores, ranker(features))
    assert not np.allclose(scores, features @ w), "the hidden units change the scores"


def _either_but_not_both(questions: int) -> list[fit.Example]:
    """Questions whose right candidate has one of two signals but not both: a candidate with both
    (and one with neither) is wrong. A weighted sum cannot rank that; hidden units can."""
    a, b = RANK_FEATURES.index("title"), RANK_FEATURES.index("phrase")
    rng = np.random.default_rng(3)
    examples = []
    for i in range(questions):
        rows = np.zeros((4, len(RANK_FEATURES)))
        rows[:, [a, b]] = [[1, 0] if i % 2 else [0, 1], [1, 1], [0, 0], [1, 1]]
        order = rng.permutation(4)
        positive = np.array([k == 0 for k in order])
        analysis = Analysis("q", None, "ranked", candidates=[None] * 4, features=rows[order])  # type: ignore[list-item]
        examples.append(fit.Example(Question(f"q{i}", "q", "in_scope"), analysis, positive))
    return examples


def test_the_ranker_learns_a_signal_that_counts_only_without_another() -> None:
    examples = _either_but_not_both(200)
    settings = load_settings().fit
    first = {}
    for units in (0, 8):
        ranker = fit.fit_ranker(examples, settings.model_copy(update={"hidden_units": units}))
        first[units] = np.mean([e.positive[int(np.argmax(ranker(e.analysis.features)))] for e in examples])
    assert first[8] == 1.0
    assert first[0] <= 0.6


def _noisy_linear(questions: int, noise: float) -> list[fit.Example]:
    """Questions whose right candidate is the best by a hidden linear rule plus chance, with each
    feature's last digits disturbed by `noise` (relative), as another machine's arithmetic would."""
    rng = np.random.default_rng(5)
    rule = rng.normal(size=len(RANK_FEATURES))
    examples = []
    for i in range(questions):
        rows = rng.uniform(0, 1, (8, len(RANK_FEATURES)))
        positive = np.zeros(8, dtype=bool)
        positive[int(np.argmax(rows @ rule + 2 * rng.gumbel(size=8)))] = True
        rows = rows * (1 + noise * rng.standard_normal(rows.shape))
        analysis = Analysis("q", None, "ranked", candidates=[None] * 8, features=rows)  # type: ignore[list-item]
        examples.append(fit.Example(Question(f"q{i}", "q", "in_scope"), analysis, positive))
    return examples


def test_a_refit_on_another_machine_ends_where_this_one_does() -> None:
    """Linear algebra libraries round the last digits differently from one CPU to the next. The
    ranker's fit must not carry that into its weights (with a constant step, Adam ended circling
    the optimum and these weights differed by 0.04: the shipped model failed to reproduce)."""
    settings = load_settings().fit
    here = fit.fit_ranker(_noisy_linear(300, 0.0), settings)
    there = fit.fit_ranker(_noisy_linear(300, 1e-12), settings)
    assert np.abs(here.weights - there.weights).max() < 1e-4
    assert np.abs(here.hidden_in - there.hidden_in).max() < 1e-4
