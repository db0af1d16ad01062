"""The certainty rules of `briefbot check`: a label says no more than the sentences it cites."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.briefing.conftest import problems_of
from tests.conftest import RunBot

BEFORE = Path(__file__).with_name("audit_before")


def put_back_old_snippet(root: Path, snippet_id: str) -> None:
    """Replace the shipped snippet with its pre-audit version (tests/briefing/audit_before/)."""
    (old,) = yaml.safe_load((BEFORE / f"{snippet_id}.yaml").read_text(encoding="utf-8"))["snippets"]
    for path in (root / "briefings" / "snippets").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids = [s["id"] for s in data["snippets"]]
        if snippet_id in ids:
            data["snippets"][ids.index(snippet_id)] = old
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
            return
    raise AssertionError(f"{snippet_id} is no longer in the shipped briefing")


# The audit's four medium findings, each with what the message must point at.
MEDIUM_FINDINGS = {
    # Labelled confirmed (and a /brief point), where the articles give it as an expectation.
    "russia-wants-replenish-ammunition": ["labelled confirmed", "reads a motive ('opportunity')", "'potentially'"],
    # Labelled confirmed, where the article reads Kim's motive.
    "north-korea-wants-evade-sanctions-isolation": ["labelled confirmed", "reads a motive ('aims')"],
    # The meeting-day snippet also carried the arrival KCNA reported for Tuesday.
    "meeting-wednesday": ["labelled confirmed", "a3 attributes it ('reported')", "The official Korean Central"],
    # The Komsomolsk-on-Amur guess beside another article's factory visit.
    "journey-komsomolsk-plant": ["labelled speculation", "a2's plain statement", "After enjoying a lunch"],
}


@pytest.mark.parametrize("snippet_id", sorted(MEDIUM_FINDINGS))
def test_check_catches_each_medium_finding_on_the_old_text(shipped: Path, snippet_id: str) -> None:
    assert problems_of(shipped, snippet_id) == []
    put_back_old_snippet(shipped, snippet_id)
    messages = problems_of(shipped, snippet_id)
    assert len(messages) == 1, messages
    for fragment in MEDIUM_FINDINGS[snippet_id]:
        assert fragment in messages[0]


def test_check_command_fails_on_an_old_finding_naming_file_and_item(shipped: Path, run_bot: RunBot) -> None:
    put_back_old_snippet(shipped, "north-korea-wants-evade-sanctions-isolation")
    proc = run_bot("--briefings", str(shipped / "briefings"), "--seeds", str(shipped / "seeds"), "check", "-q")
    assert proc.returncode == 1
    assert (
        "briefings/snippets/north-korea-wants.yaml:2: [north-korea-wants-evade-sanctions-isolation] "
        "labelled confirmed" in proc.stderr
    )


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture changed: {old!r} not once in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


MEETING = "briefings/snippets/meeting.yaml"
HEDGED_QUOTE = "quote: Analysts doubt that U.N. sanctions will stop a deal."


def test_a_confirmed_item_citing_a_hedge_may_say_why_it_stands(mini: Path) -> None:
    edit(mini, MEETING, "quote: The leaders met on Wednesday at a spaceport.", HEDGED_QUOTE)
    (message,) = problems_of(mini, "meeting-wednesday")
    assert "names a source ('Analysts'):" in message  # "doubt" is not a listed hedge
    assert "confirmed_because" in message
    edit(
        mini,
        MEETING,
        "certainty: confirmed",
        "certainty: confirmed\n    confirmed_because: The analysts' doubt is the fact this test reports.",
    )
    assert problems_of(mini, "meeting-wednesday") == []


def test_a_note_that_is_not_needed_is_an_error(mini: Path) -> None:
    edit(
        mini,
        MEETING,
        "certainty: confirmed",
        "certainty: confirmed\n    confirmed_because: The sentence cited states the meeting outright.",
    )
    assert problems_of(mini, "meeting-wednesday") == [
        "confirmed_because: no cited sentence hedges or attributes any more; remove it"
    ]


def test_a_note_on_an_item_not_confirmed_is_an_error(mini: Path) -> None:
    edit(
        mini,
        MEETING,
        "certainty: claim",
        "certainty: claim\n    confirmed_because: Officials said it, which is what this states.",
    )
    assert problems_of(mini, "meeting-talks") == [
        "confirmed_because: only an item labelled confirmed needs it; remove it"
    ]


def test_a_speaker_is_only_for_a_claim(mini: Path) -> None:
    edit(mini, MEETING, "certainty: confirmed\n", "certainty: confirmed\n    speaker: officials\n")
    assert problems_of(mini, "meeting-wednesday") == [
        "speaker: only a claim has a speaker, and this is labelled confirmed"
    ]


def test_a_claim_names_a_speaker_the_article_names(mini: Path) -> None:
    edit(mini, "briefings/entities.yaml", "role: Unnamed officials.}", "role: Unnamed officials.}\n"
         "  - {id: analysts, name: Analysts, kind: organisation, role: Unnamed analysts.}")
    edit(mini, MEETING, "speaker: officials", "speaker: analysts")
    assert problems_of(mini, "meeting-talks") == [
        "claim by 'analysts', but no cited sentence (or the sentence before it) names Analysts: "
        "attribute it as the article does"
    ]


def test_a_speaker_is_an_entity_never_free_text(mini: Path) -> None:
    edit(mini, MEETING, "speaker: officials", "speaker: Some officials")
    (message,) = problems_of(mini, "meeting-talks")
    assert message.startswith("speaker: String should match pattern")


QUOTES = """\
quotes:
  - id: talks-went-well
    speaker: {speaker}
    role: Unnamed officials
    topic: meeting
    context: How the talks went.
    words: "{words}"
    source: {{article: m0, quote: '{quote}'}}
"""

# Sentences with quoted words, added to the mini article: typographic double marks, and typographic
# single marks that the card's citation writes straight.
QUOTED_LINES = (
    "Officials added: \u201cThe talks went well, and we will meet again.\u201d "
    "Analysts called a deal \u2018a long shot\u2019 in a note. "
    "A critic wrote that \u201cofficials are always wrong\u201d about deals.\n"
)
SAID = 'Officials added: "The talks went well, and we will meet again."'


@pytest.mark.parametrize(
    ("speaker", "words", "quote", "expected"),
    [
        pytest.param("officials", "The talks went well, and we will meet again.", SAID, [], id="named-and-attributed"),
        pytest.param(
            "analysts", "a long shot", "Analysts called a deal 'a long shot' in a note.", [], id="single-straight-marks"
        ),
        pytest.param(
            "analysts",
            "The talks went well, and we will meet again.",
            SAID,
            ["speaker 'analysts': the article does not name Analysts outside the quotation marks"],
            id="words-given-to-the-wrong-speaker",
        ),
        pytest.param(
            "officials",
            "officials are always wrong",
            "A critic wrote that \"officials are always wrong\" about deals.",
            ["speaker 'officials': the article does not name Officials outside the quotation marks"],
            id="speaker-named-only-inside-the-marks",
        ),
        pytest.param(
            "officials",
            "Officials said the talks went well.",
            "Officials said the talks went well.",
            ["the cited sentence(s) put no words in quotation marks"],
            id="reported-speech-is-not-a-quote",
        ),
        pytest.param(
            "officials",
            SAID.replace('"', ""),
            SAID,
            ["words: 'Officials added: The talks went well, and we will meet again.' are not the words"],
            id="words-outside-the-marks-given-as-quoted",
        ),
        pytest.param(
            "officials",
            "The talks went well",
            SAID,
            ["words: 'The talks went well' are not the words the cited sentence(s) put inside quotation marks, "
             "which are: 'The talks went well, and we will meet again.'"],
            id="part-of-the-quoted-words",
        ),
    ],
)
def test_a_quote_card_holds_the_words_the_article_quotes_from_its_speaker(
    mini: Path, speaker: str, words: str, quote: str, expected: list[str]
) -> None:
    edit(mini, "briefings/entities.yaml", "role: Unnamed officials.}", "role: Unnamed officials.}\n"
         "  - {id: analysts, name: Analysts, kind: organisation, role: Unnamed analysts.}")
    with (mini / "seeds/000_mini.txt").open("a", encoding="utf-8") as article:
        article.write(QUOTED_LINES)
    (mini / "briefings/quotes.yaml").write_text(
        QUOTES.format(speaker=speaker, words=words, quote=quote.replace("'", "''")), encoding="utf-8"
    )
    messages = problems_of(mini, "talks-went-well")
    assert len(messages) == len(expected), messages
    for message, fragment in zip(messages, expected, strict=True):
        assert message.startswith(fragment)


def test_a_quote_must_be_whole_sentences(mini: Path) -> None:
    edit(mini, MEETING, "quote: The leaders met on Wednesday at a spaceport.", "quote: The leaders met on Wednesday")
    (message,) = problems_of(mini, "meeting-wednesday")
    assert message.startswith("quote is part of a sentence of m0 (000_mini.txt): cite whole sentences")


def test_the_word_lists_are_data_not_code() -> None:
    from bot.briefing.certainty import HEDGES_PATH, load_lexicon

    words = yaml.safe_load(HEDGES_PATH.read_text(encoding="utf-8"))
    for required in ("may", "could", "likely", "expected to", "reportedly"):
        assert required in words["hedge"]
    for required in ("said", "accused"):
        assert required in words["attribution"]
    assert "according to" in words["source"]
    lexicon = load_lexicon()
    assert [w for _, w in lexicon.find("He was expected to go, according to reports.")] == [
        "expected to",
        "according to",
        "reports",
    ]
    assert lexicon.find("The mayor counted the coulds.") == []


def test_a_joining_note_needs_two_articles(mini: Path) -> None:
    note = "\n    joined_because: The two reports are taken to speak of the same meeting here."
    edit(mini, MEETING, "certainty: confirmed", "certainty: confirmed" + note)
    assert problems_of(mini, "meeting-wednesday") == [
        "joined_because: it cites one article only, so it joins nothing; remove it"
    ]

