"""The shipped model is exactly what the fitting script makes from this checkout."""

from __future__ import annotations

import pytest

from bot.answer import fit
from bot.answer.evaluate import Question
from bot.answer.model import load_model


def test_the_fitting_script_reproduces_the_shipped_model(capsys: pytest.CaptureFixture[str]) -> None:
    status = fit.main(["--check"])
    out = capsys.readouterr().out
    assert status == 0, "model.json is not what `python -m bot.answer.fit` makes now: refit\n" + out
    assert "fold 1:" in out and "all folds:" in out


def test_the_fitting_script_never_reads_the_held_out_part() -> None:
    assert all(p.name != fit.HELD_OUT for p in fit.fitting_files())
    with pytest.raises(SystemExit):
        fit.main(["--questions", str(fit.QUESTIONS / fit.HELD_OUT), "--check"])


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
