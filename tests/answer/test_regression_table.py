"""Every question of the held-out test part keeps its pinned outcome (tests/answer/regression.py).

The lead adds tests/questions/test.jsonl and its table at merge time; without them this skips and
says so. Tables of our other question sets, where present, are held the same way. A failure lists
what a change fixed and what it broke; rewrite the tables with `python -m tests.answer.regression --write`
once the change is wanted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answer.evaluate import load_questions
from bot.router import Router
from tests.answer.regression import QUESTIONS, TEST_PART, compare, outcomes, read_table, report, table_path

PINNED = sorted(p for p in QUESTIONS.glob("*.jsonl") if table_path(p).exists() and p != TEST_PART)


def check(router: Router, path: Path, record_property: Callable[[str, object], None]) -> None:
    table = table_path(path)
    assert table.exists(), f"{path.name} has no table: run python -m tests.answer.regression --write {path}"
    questions = load_questions(path)
    results = outcomes(router, questions)
    pinned = read_table(table)
    changes = compare(questions, pinned, results)
    text = report(path.name, questions, results, changes)
    record_property("figures", text)  # printed at the end of the run (tests/conftest.py), from any worker
    assert set(pinned) == {q.id for q in questions}, f"{table.name} pins other questions than {path.name} holds"
    assert not changes, "outcomes changed (rewrite the table if wanted):\n" + text


def test_the_test_part_keeps_its_pinned_outcomes(
    router: Router, record_property: Callable[[str, object], None]
) -> None:
    if not TEST_PART.exists():
        pytest.skip("tests/questions/test.jsonl is absent: the lead adds the held-out test part and its table")
    check(router, TEST_PART, record_property)


@pytest.mark.parametrize("path", PINNED, ids=[p.name for p in PINNED])
def test_other_question_sets_keep_their_pinned_outcomes(
    router: Router, path: Path, record_property: Callable[[str, object], None]
) -> None:
    check(router, path, record_property)
