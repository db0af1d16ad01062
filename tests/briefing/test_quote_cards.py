"""Quote cards hold the speaker's own words: what the article puts in quotation marks, and only that."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.briefing.load import load
from bot.briefing.text import normalise, quoted_spans
from tests.briefing.conftest import problems_of
from tests.conftest import RunBot

BEFORE = Path(__file__).with_name("audit2_before") / "quote_cards.yaml"
OLD_CARDS: list[dict[str, Any]] = yaml.safe_load(BEFORE.read_text(encoding="utf-8"))["quotes"]


def put_back(root: Path, card: dict[str, Any]) -> None:
    """Add the old card to the shipped quotes, its `words` being the whole cited text, as a curator would."""
    card = {key: value for key, value in card.items() if key != "finding"}
    card["words"] = card["source"]["quote"]
    path = root / "briefings/quotes.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["quotes"].append(card)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_the_fixture_holds_the_audit_s_fourteen_cards() -> None:
    assert [card["finding"] for card in OLD_CARDS] == [f"M{n}" for n in range(1, 15)]


@pytest.mark.parametrize("card", OLD_CARDS, ids=[f"{c['finding']}-{c['id']}" for c in OLD_CARDS])
def test_check_refuses_each_reported_speech_card_of_the_audit(shipped: Path, card: dict[str, Any]) -> None:
    put_back(shipped, card)
    (message,) = problems_of(shipped, card["id"])
    assert message.startswith("the cited sentence(s) put no words in quotation marks")


def test_check_command_fails_on_a_card_without_quotation_marks(shipped: Path, run_bot: RunBot) -> None:
    put_back(shipped, OLD_CARDS[0])
    proc = run_bot("--briefings", str(shipped / "briefings"), "--seeds", str(shipped / "seeds"), "check", "-q")
    assert proc.returncode == 1
    assert "[lim-deep-concern] the cited sentence(s) put no words in quotation marks" in proc.stderr


def test_every_reported_statement_removed_from_the_quotes_is_a_claim_of_its_speaker() -> None:
    """The audit's cards are gone from /quotes, but what each reported stays told, by the same speaker."""
    briefing = load(Path(__file__).resolve().parents[2]).briefing
    assert briefing is not None
    claims: dict[str, set[str]] = {}
    for item in (*briefing.snippets, *briefing.events):
        if item.speaker is not None:
            for citation in item.sources:
                claims.setdefault(item.speaker, set()).add(normalise(citation.quote))
    kept = {quote.id for quote in briefing.quotes}
    for card in OLD_CARDS:
        assert card["id"] not in kept
        cited = normalise(card["source"]["quote"])
        assert any(cited in quoted or quoted in cited for quoted in claims.get(card["speaker"], ())), card["id"]


def test_each_shipped_card_s_words_are_exactly_what_its_sentence_quotes(export: dict[str, Any]) -> None:
    for quote in export["quotes"]:
        text = normalise(quote["source"]["quote"])
        assert normalise(quote["words"]) in [text[a:b] for a, b in quoted_spans(text)], quote["id"]


@pytest.fixture(scope="module")
def export() -> dict[str, Any]:
    from bot.briefing.load import load_briefing
    from bot.cli.export import document

    return document(load_briefing(Path(__file__).resolve().parents[2]))


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        pytest.param("He said \u201cpay a price\u201d twice.", ["pay a price"], id="typographic-double"),
        pytest.param('He said "pay a price" twice.', ["pay a price"], id="straight-double"),
        pytest.param("from a \u2018friendly country\u2019 after", ["friendly country"], id="typographic-single"),
        pytest.param("from a 'friendly country' after", ["friendly country"], id="straight-single"),
        pytest.param("Seoul says it won't send weapons.", [], id="apostrophe-is-no-mark"),
        pytest.param("the two countries' interests and Korea's ships", [], id="possessives-are-no-marks"),
        pytest.param("He said 'we won't go', then left.", ["we won't go"], id="apostrophe-inside-single-marks"),
        pytest.param('"One. Two." he said', ["One. Two."], id="over-two-sentences"),
    ],
)
def test_quoted_words_are_found_inside_any_kind_of_marks(text: str, quoted: list[str]) -> None:
    normalised = normalise(text)
    assert [normalised[a:b] for a, b in quoted_spans(normalised)] == quoted
