"""The regression table: every question's outcome, pinned by id, so a change shows what it fixed
and what it broke.

    python -m tests.answer.regression            # print the figures and the changes against the tables
    python -m tests.answer.regression --write    # rewrite the tables from what the engine answers now

A table sits beside its question file (`tests/questions/test.jsonl` → `test.outcomes.tsv`): one line
per question, `id`, `kind`, outcome (`first`, `top3`, `miss` or `refused` for answerable questions;
`refused` or `answered` for the others) and the question. Questions go through the same path as
`briefbot ask --json` (the router, then the JSON contract), and are scored like ../shared/eval.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.text import answer_json
from bot.answer.evaluate import Figures, Question, load_questions, outcome
from bot.briefing.load import load_briefing
from bot.router import Router

PROJECT = Path(__file__).resolve().parents[2]
QUESTIONS = PROJECT / "tests" / "questions"
# The held-out test part: the lead adds it at merge time, with its table.
TEST_PART = QUESTIONS / "test.jsonl"
# Better outcomes first: a change from a later to an earlier one is a fix.
RANK = {"first": 0, "top3": 1, "miss": 2, "refused": 2, "answered": 1}
RANK_REFUSE = {"refused": 0, "answered": 1}


def table_path(questions: Path) -> Path:
    return questions.with_name(questions.name.removesuffix(".jsonl") + ".outcomes.tsv")


def outcomes(router: Router, questions: Sequence[Question]) -> dict[str, str]:
    results = {}
    for question in questions:
        answer = answer_json(question.q, router.ask(question.q))
        texts = [r["text"] for r in answer["results"]]
        results[question.id] = outcome(question, bool(answer["answered"]), texts)
    return results


def read_table(path: Path) -> dict[str, str]:
    pinned = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            qid, _kind, result, *_ = line.split("\t")
            pinned[qid] = result
    return pinned


def write_table(path: Path, questions: Sequence[Question], results: dict[str, str]) -> None:
    lines = ["id\tkind\toutcome\tquestion"]
    lines += [f"{q.id}\t{q.kind}\t{results[q.id]}\t{' '.join(q.q.split())}" for q in questions]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Change:
    question: Question
    was: str | None
    now: str

    @property
    def kind(self) -> str:
        if self.was is None:
            return "new"
        order = RANK if self.question.answerable else RANK_REFUSE
        if order[self.now] == order[self.was]:
            return "changed"
        return "fixed" if order[self.now] < order[self.was] else "broken"

    def __str__(self) -> str:
        return f"{self.kind:7s} {self.question.id}: {self.was or '-'} → {self.now}  {self.question.q!r}"


def compare(questions: Sequence[Question], pinned: dict[str, str], results: dict[str, str]) -> list[Change]:
    return [Change(q, pinned.get(q.id), results[q.id]) for q in questions if pinned.get(q.id) != results[q.id]]


def report(name: str, questions: Sequence[Question], results: dict[str, str], changes: Sequence[Change]) -> str:
    figures = Figures.of((q, results[q.id]) for q in questions)
    lines = [f"{name}: {figures.line()}"]
    lines += [f"  {change}" for change in changes]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", type=Path, nargs="*", help="question files (default: every tests/questions/*.jsonl)")
    parser.add_argument("--write", action="store_true", help="rewrite the tables")
    args = parser.parse_args(argv)
    files = args.files or sorted(QUESTIONS.glob("*.jsonl"))
    router = Router(load_briefing(PROJECT))
    changed = False
    for path in files:
        questions = load_questions(path)
        results = outcomes(router, questions)
        table = table_path(path)
        pinned = read_table(table) if table.exists() else {}
        changes = compare(questions, pinned, results)
        print(report(path.name, questions, results, changes))
        if args.write:
            write_table(table, questions, results)
            print(f"  wrote {table.relative_to(PROJECT) if table.is_relative_to(PROJECT) else table}")
        changed |= bool(changes)
    return 0 if args.write or not changed else 1


if __name__ == "__main__":
    sys.exit(main())
