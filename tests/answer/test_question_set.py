"""The quality bar on our own question set (tests/questions.jsonl), scored like ../shared/eval.

In-scope questions score when the first result's text holds every expected group; off-topic and
near-topic questions score when they are refused.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from bot.router import Router
from tests.conftest import PROJECT

QUESTIONS = [json.loads(line) for line in (PROJECT / "tests" / "questions.jsonl").read_text().splitlines() if line]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"(?<=\d)[,\u202f\u00a0 ](?=\d{3}\b)", "", text)
    text = re.sub(r"[\u2019'`]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return f" {text.strip()} "


def holds(expect: list[list[str]], text: str) -> bool:
    norm = normalise(text)
    return all(any(normalise(alt).strip() in norm for alt in group) for group in expect)


@pytest.fixture(scope="module")
def outcomes(router: Router) -> dict[str, list[tuple[str, bool]]]:
    results: dict[str, list[tuple[str, bool]]] = {"top1": [], "answered": [], "refused": []}
    for item in QUESTIONS:
        reply = router.ask(item["q"])
        answered = reply.kind.value == "answer"
        if item["kind"] == "in_scope":
            results["top1"].append((item["q"], answered and holds(item["expect"], reply.items[0].text)))
            results["answered"].append((item["q"], answered))
        else:
            results["refused"].append((item["q"], not answered))
    return results


def test_question_set_is_large_and_varied() -> None:
    kinds = [item["kind"] for item in QUESTIONS]
    assert len(QUESTIONS) >= 60
    assert {"in_scope", "out_of_scope", "near_scope"} <= set(kinds)


def test_right_snippet_first_for_at_least_90_percent(outcomes: dict[str, list[tuple[str, bool]]]) -> None:
    misses = [q for q, ok in outcomes["top1"] if not ok]
    assert len(misses) <= 0.10 * len(outcomes["top1"]), misses


def test_every_off_topic_question_is_refused(outcomes: dict[str, list[tuple[str, bool]]]) -> None:
    assert [q for q, ok in outcomes["refused"] if not ok] == []


def test_at_most_5_percent_of_answerable_questions_refused(outcomes: dict[str, list[tuple[str, bool]]]) -> None:
    refused = [q for q, ok in outcomes["answered"] if not ok]
    assert len(refused) <= 0.05 * len(outcomes["answered"]), refused
