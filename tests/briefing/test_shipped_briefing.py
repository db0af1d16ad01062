"""The briefing we ship: valid, complete, and exported in the documented shape."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from bot.briefing.load import load
from bot.briefing.text import normalise
from tests.conftest import PROJECT, RunBot

SHARED_SEEDS = PROJECT.parent / "shared" / "seeds"

REQUIRED_PEOPLE = {
    "Kim Jong Un": {"Kim Jong-un"},
    "Vladimir Putin": set(),
    "Lim Soo-suk": set(),
    "Ri Pyong Chol": set(),
    "Jo Chun-ryong": {"Jo Chun Yong"},
    "Kim Yung-ho": set(),
    "Choe Sun-hui": {"Choe Sun Hui"},
    "Oleg Kozhemyako": set(),
    "Alexander Kozlov": set(),
    "Andrei Rudenko": set(),
    "Sergei Shoigu": set(),
    "Dmitry Peskov": set(),
    "Michael Madden": set(),
    "Leif-Eric Easley": set(),
    "Adrienne Watson": set(),
    "Matthew Miller": set(),
}


@pytest.fixture(scope="module")
def export(request: pytest.FixtureRequest) -> dict[str, Any]:
    from bot.briefing.load import load_briefing
    from bot.cli.export import document

    return document(load_briefing(PROJECT))


def test_shipped_briefing_has_no_problems() -> None:
    result = load(PROJECT)
    assert [str(p) for p in result.problems] == []


def test_every_factual_sentence_is_cited_by_a_snippet() -> None:
    result = load(PROJECT)
    uncovered = {c.source_id: c.uncovered for c in result.coverage if c.uncovered}
    assert uncovered == {}


def test_check_command_exits_0_and_prints_counts(run_bot: RunBot) -> None:
    proc = run_bot("check", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "5 sources" in proc.stdout
    assert "coverage: " in proc.stdout
    assert proc.stdout.rstrip().endswith("ok")


def test_export_prints_the_documented_document(run_bot: RunBot) -> None:
    proc = run_bot("export", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) == {"version", "sources", "topics", "snippets", "entities", "events", "quotes", "disagreements"}
    assert isinstance(doc["version"], str)
    assert {tuple(sorted(s)) for s in doc["sources"]} == {("date", "file", "headline", "id")}
    assert {tuple(sorted(t)) for t in doc["topics"]} == {("id", "title")}
    assert {tuple(sorted(s)) for s in doc["snippets"]} == {
        ("certainty", "confirmed_because", "entities", "id", "joined_because", "sources", "speaker", "text", "title",
         "topic")
    }
    assert {tuple(sorted(e)) for e in doc["entities"]} == {("aliases", "id", "kind", "name", "role")}
    for snippet in doc["snippets"]:
        assert snippet["sources"], snippet["id"]
        for citation in snippet["sources"]:
            assert set(citation) == {"article", "quote"}


def test_exported_quotes_are_verbatim_in_their_articles(export: dict[str, Any]) -> None:
    """Measured from the export alone, as an outside reader would."""
    files = {s["id"]: s["file"] for s in export["sources"]}
    texts = {sid: normalise((PROJECT / "seeds" / f).read_text(encoding="utf-8")) for sid, f in files.items()}
    missing = [
        (s["id"], c["quote"][:60])
        for s in export["snippets"]
        for c in s["sources"]
        if normalise(c["quote"]) not in texts[c["article"]]
    ]
    assert missing == []


def test_required_people_are_entities_with_their_spellings(export: dict[str, Any]) -> None:
    people = {e["name"]: set(e["aliases"]) for e in export["entities"] if e["kind"] == "person"}
    spellings = {name: {name, *aliases} for name, aliases in people.items()}
    for name, variants in REQUIRED_PEOPLE.items():
        found = next((s for s in spellings.values() if name in s), None)
        assert found is not None, f"{name} is not an entity"
        assert variants <= found, f"{name} lacks spellings {variants - found}"


def test_source_dates_are_stated_or_unknown(export: dict[str, Any]) -> None:
    dates = {s["id"]: s["date"] for s in export["sources"]}
    assert dates == {"a0": "2023-11-08", "a1": "unknown", "a2": "unknown", "a3": "unknown", "a4": "unknown"}


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is absent: cannot compare with the originals")
def test_seeds_are_the_shared_articles_byte_for_byte() -> None:
    def digests(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.txt")}

    assert digests(PROJECT / "seeds") == digests(SHARED_SEEDS)


def test_every_claim_names_its_speaker_as_an_entity(export: dict[str, Any]) -> None:
    entity_ids = {e["id"] for e in export["entities"]}
    for item in [*export["snippets"], *export["events"]]:
        if item["certainty"] == "claim":
            assert item["speaker"] in entity_ids, item["id"]
        else:
            assert item["speaker"] is None, item["id"]
    for quote in export["quotes"]:
        assert quote["speaker"] in entity_ids, quote["id"]


def test_a_quote_card_never_reads_like_two_speakers(export: dict[str, Any]) -> None:
    """The card shows "name, role": "White House, The White House" reads as two speakers."""
    names = {e["id"]: e["name"].casefold().removeprefix("the ") for e in export["entities"]}
    for quote in export["quotes"]:
        role = quote["role"].casefold().removeprefix("the ")
        assert not role.startswith(names[quote["speaker"]]), (quote["id"], quote["role"])


def test_the_audit_s_missing_entities_are_there(export: dict[str, Any]) -> None:
    names = {e["name"] for e in export["entities"]}
    assert {"Soviet Union", "the West", "Ukrainian counteroffensive", "South Korean military"} <= names


def test_no_topic_promises_what_the_articles_lack(export: dict[str, Any]) -> None:
    titles = " ".join(t["title"] for t in export["topics"])
    assert "Japan" not in titles  # no article reports a reaction from Japan's government


def test_the_two_spellings_of_jo_are_joined_openly(export: dict[str, Any]) -> None:
    """No article says a0's Jo Chun Yong is a4's Jo Chun-ryong: where the briefing joins them, it says so."""
    snippet = next(s for s in export["snippets"] if s["id"] == "delegation-jo-chun-ryong")
    assert snippet["joined_because"] and "apparently" in snippet["text"]
    assert {c["article"] for c in snippet["sources"]} == {"a0", "a4"}


def test_disagreements_are_real_differences_between_articles(export: dict[str, Any]) -> None:
    """The audit's non-disagreements (a spelling variant, distances from two places, reports written at
    different moments, two compatible readings) stay out."""
    ids = {d["id"] for d in export["disagreements"]}
    assert not ids & {"cosmodrome-distance", "summit-venue", "openness-of-summit", "spelling-kim-jong-un"}
    for disagreement in export["disagreements"]:
        assert len({side["source"]["article"] for side in disagreement["sides"]}) >= 2, disagreement["id"]
