"""Scoring answers the way `../shared/eval/score.py` does, for the fitting script and the tests.

An answerable ("in_scope") question scores top-1 when the first result's text holds every expected
group (a group holds when any of its alternatives appears, after normalising both sides), top-3
when one of the first three does; an off-topic or near-topic question scores when it is refused.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUTCOMES = ("first", "top3", "miss", "refused", "answered")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text)
    text = re.sub(r"[\u2019'`]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return f" {text.strip()} "


def holds(expect: Sequence[Sequence[str]], text: str) -> bool:
    norm = normalise(text)
    return all(any(normalise(alt).strip() in norm for alt in group) for group in expect)


@dataclass(frozen=True)
class Question:
    id: str
    q: str
    kind: str  # "in_scope", "out_of_scope" or "near_scope"
    expect: tuple[tuple[str, ...], ...] = ()
    style: str | None = None

    @property
    def answerable(self) -> bool:
        return self.kind == "in_scope"


def load_questions(path: Path) -> list[Question]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw: dict[str, Any] = json.loads(line)
        if raw.get("kind") not in ("in_scope", "out_of_scope", "near_scope"):
            raise ValueError(f"{path}:{number}: kind must be in_scope, out_of_scope or near_scope")
        expect = tuple(tuple(group) for group in raw.get("expect") or ())
        items.append(Question(str(raw["id"]), raw["q"], raw["kind"], expect, raw.get("style")))
    return items


def outcome(question: Question, answered: bool, texts: Sequence[str]) -> str:
    """first / top3 / miss / refused for an answerable question; refused / answered for the others."""
    if not question.answerable:
        return "refused" if not answered else "answered"
    if not answered:
        return "refused"
    if texts and holds(question.expect, texts[0]):
        return "first"
    return "top3" if any(holds(question.expect, t) for t in texts[:3]) else "miss"


@dataclass(frozen=True)
class Figures:
    answerable: int
    first: int
    top3: int
    refused: int
    off_topic: int
    off_topic_refused: int
    near_topic: int
    near_topic_refused: int

    @classmethod
    def of(cls, pairs: Iterable[tuple[Question, str]]) -> Figures:
        counts = dict.fromkeys(("in", "first", "top3", "refused", "out", "out_ok", "near", "near_ok"), 0)
        for question, result in pairs:
            if question.answerable:
                counts["in"] += 1
                counts["first"] += result == "first"
                counts["top3"] += result in ("first", "top3")
                counts["refused"] += result == "refused"
            else:
                key = "out" if question.kind == "out_of_scope" else "near"
                counts[key] += 1
                counts[key + "_ok"] += result == "refused"
        return cls(*counts.values())

    def percent(self) -> dict[str, float]:
        def pct(a: int, b: int) -> float:
            return 100.0 * a / b if b else 100.0

        return {
            "top1": pct(self.first, self.answerable),
            "top3": pct(self.top3, self.answerable),
            "wrongly_refused": pct(self.refused, self.answerable),
            "off_topic_refused": pct(self.off_topic_refused, self.off_topic),
            "near_topic_refused": pct(self.near_topic_refused, self.near_topic),
        }

    def line(self) -> str:
        p = self.percent()
        return (
            f"top-1 {p['top1']:5.1f}%  top-3 {p['top3']:5.1f}%  wrongly refused {p['wrongly_refused']:4.1f}%  "
            f"off-topic refused {p['off_topic_refused']:5.1f}%  near-topic refused {p['near_topic_refused']:5.1f}%  "
            f"(n={self.answerable}+{self.off_topic}+{self.near_topic})"
        )
