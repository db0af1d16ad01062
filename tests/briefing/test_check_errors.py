"""`briefbot check` on broken briefings: each kind of mistake gets its own clear error and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunBot


def check(run_bot: RunBot, root: Path, *extra: str) -> tuple[int, str]:
    proc = run_bot("--briefings", str(root / "briefings"), "--seeds", str(root / "seeds"), "check", *extra)
    return proc.returncode, proc.stdout + proc.stderr


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_mini_briefing_is_valid(mini: Path, run_bot: RunBot) -> None:
    code, out = check(run_bot, mini)
    assert code == 0, out
    assert "2 snippets" in out
    assert out.rstrip().endswith("ok")


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "    title: They met on Wednesday",
            "    title: [unclosed",
            ["briefings/snippets/meeting.yaml:", "YAML syntax error"],
            id="malformed-yaml",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "    certainty: confirmed\n",
            "",
            ["briefings/snippets/meeting.yaml:2: [meeting-wednesday] certainty: Field required"],
            id="missing-field",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "id: meeting-talks",
            "id: meeting-wednesday",
            ["[meeting-wednesday] duplicate snippet id (first defined at briefings/snippets/meeting.yaml:2)"],
            id="duplicate-id",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "entities: [officials]",
            "entities: [officals]",
            ["[meeting-wednesday] entities: unknown entity 'officals'"],
            id="unknown-entity",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "article: m0\n",
            "article: m9\n",
            ["[meeting-wednesday] sources: unknown article 'm9'"],
            id="unknown-source",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "quote: The leaders met on Wednesday at a spaceport.",
            "quote: The leaders met on Thursday at a spaceport.",
            ["[meeting-wednesday] quote not found in m0 (000_mini.txt): 'The leaders met on Thursday"],
            id="quote-not-in-article",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "text: The leaders met at a spaceport on Wednesday.",
            "text: " + "x" * 1025,
            ["[meeting-wednesday] text: String should have at most 1024 characters"],
            id="text-over-discord-limit",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "topic: meeting\n    title: Talks",
            "topic: meetings\n    title: Talks",
            ["[meeting-talks] topic: unknown topic 'meetings'"],
            id="unknown-topic",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "    speaker: officials\n",
            "",
            ["[meeting-talks] certainty 'claim' needs a speaker"],
            id="claim-without-speaker",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "certainty: confirmed",
            "certainty: certain",
            ["[meeting-wednesday] certainty: Input should be 'confirmed', 'reported', 'claim'"],
            id="unknown-certainty",
        ),
        pytest.param(
            "briefings/snippets/meeting.yaml",
            "text: Officials described the talks as going well.",
            "text: Analysts doubt that U.N. sanctions will stop a deal.",
            ["[meeting-talks] text copies a sentence of m0 verbatim: say it in our own words"],
            id="text-copied-from-article",
        ),
        pytest.param(
            "briefings/entities.yaml",
            "name: Officials",
            "name: Diplomats",
            ["briefings/entities.yaml:2: [officials] neither the name nor any alias occurs in an article"],
            id="entity-not-in-articles",
        ),
        pytest.param(
            "briefings/entities.yaml",
            "kind: organisation,",
            "kind: organisation, stands_for: [government],",
            ["briefings/entities.yaml:2: [officials] stands_for: unknown entity 'government'"],
            id="stands-for-unknown-entity",
        ),
    ],
)
def test_each_broken_file_gets_its_own_error(
    mini: Path, run_bot: RunBot, name: str, old: str, new: str, expected: list[str]
) -> None:
    edit(mini, name, old, new)
    code, out = check(run_bot, mini)
    assert code == 1
    for fragment in expected:
        assert fragment in out


def test_all_errors_are_reported_at_once(mini: Path, run_bot: RunBot) -> None:
    edit(mini, "briefings/snippets/meeting.yaml", "entities: [officials]", "entities: [nobody]")
    edit(mini, "briefings/snippets/meeting.yaml", "speaker: officials", "speaker: noone")
    edit(mini, "briefings/entities.yaml", "kind: organisation", "kind: company")
    code, out = check(run_bot, mini)
    assert code == 1
    assert "unknown entity 'nobody'" in out
    assert "unknown entity 'noone'" in out
    assert "[officials] kind: Input should be" in out
    assert "problem(s): the briefing is not valid" in out


def test_check_json_lists_problems_for_machines(mini: Path, run_bot: RunBot) -> None:
    edit(mini, "briefings/snippets/meeting.yaml", "article: m0\n", "article: m7\n")
    code, out = check(run_bot, mini, "--json")
    assert code == 1
    document = json.loads(out)
    assert document["ok"] is False
    assert {
        "file": "briefings/snippets/meeting.yaml",
        "line": 2,
        "item": "meeting-wednesday",
        "message": "sources: unknown article 'm7'",
    } in document["problems"]


def test_export_refuses_an_invalid_briefing(mini: Path, run_bot: RunBot) -> None:
    edit(mini, "briefings/snippets/meeting.yaml", "article: m0\n", "article: m7\n")
    proc = run_bot("--briefings", str(mini / "briefings"), "--seeds", str(mini / "seeds"), "export", "--json")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "unknown article 'm7'" in proc.stderr


def test_unknown_key_is_an_error_not_ignored(mini: Path, run_bot: RunBot) -> None:
    edit(mini, "briefings/snippets/meeting.yaml", "certainty: confirmed", "certainty: confirmed\n    sauces: []")
    code, out = check(run_bot, mini)
    assert code == 1
    assert "[meeting-wednesday] sauces: Extra inputs are not permitted" in out


def test_article_without_metadata_is_named(mini: Path, run_bot: RunBot) -> None:
    (mini / "seeds" / "009_new.txt").write_text("A new article.\n", encoding="utf-8")
    code, out = check(run_bot, mini)
    assert code == 1
    assert "seeds/009_new.txt: no metadata file in seeds/ describes this article" in out


def test_synonym_group_joining_opposites_is_an_error(mini: Path, run_bot: RunBot) -> None:
    (mini / "briefings" / "synonyms.yaml").write_text(
        "synonyms:\n  - [reluctant, unwilling, willing]\n  - [photo, picture]\n", encoding="utf-8"
    )
    code, out = check(run_bot, mini)
    assert code == 1
    assert "briefings/synonyms.yaml: [group #1] “willing” and “unwilling” are opposites" in out
    assert "group #2" not in out


def test_reader_questions_must_name_an_item_that_exists(mini: Path, run_bot: RunBot) -> None:
    (mini / "briefings" / "asks.yaml").write_text(
        "asks:\n"
        "  meeting-wednesday: [when did they meet]\n"
        "  meeting-thursday: [when did they meet]\n"
        "  entity:nobody: [who is nobody]\n"
        "  topic:meeting: []\n"
        "  meeting-talks: ['???']\n",
        encoding="utf-8",
    )
    code, out = check(run_bot, mini)
    assert code == 1
    assert "[meeting-thursday] id: unknown snippet 'meeting-thursday'" in out
    assert "[entity:nobody] id: unknown entity 'nobody'" in out
    assert "[topic:meeting] questions:" in out
    assert "[meeting-talks] questions.1: holds no word" in out
    assert "[meeting-wednesday]" not in out


def test_unanswered_questions_must_name_a_topic_that_exists(mini: Path, run_bot: RunBot) -> None:
    (mini / "briefings" / "unasked.yaml").write_text(
        "unasked:\n"
        "  topic:meeting: [what did they drink at lunch]\n"
        "  topic:weather: [was it raining]\n"
        "  meeting-wednesday: [what time did they meet]\n",
        encoding="utf-8",
    )
    code, out = check(run_bot, mini)
    assert code == 1
    assert "briefings/unasked.yaml" in out and "[topic:weather] id: unknown topic 'weather'" in out
    assert "[meeting-wednesday] id: expected 'topic:<id>'" in out
    assert "[topic:meeting]" not in out


def test_a_question_cannot_be_both_answered_and_unanswered(mini: Path, run_bot: RunBot) -> None:
    asks = "asks:\n  meeting-wednesday: [When did they meet]\n"
    (mini / "briefings" / "asks.yaml").write_text(asks, encoding="utf-8")
    (mini / "briefings" / "unasked.yaml").write_text(
        "unasked:\n  topic:meeting: [what did they drink at lunch, when did  they meet]\n", encoding="utf-8"
    )
    code, out = check(run_bot, mini)
    assert code == 1
    assert "[topic:meeting] questions.2: 'when did  they meet' is also a question meeting-wednesday answers" in out
    assert "questions.1" not in out


def test_a_topic_party_must_be_an_entity(mini: Path, run_bot: RunBot) -> None:
    front = mini / "briefings" / "briefing.yaml"
    text = front.read_text(encoding="utf-8")
    topic = "{id: meeting, title: The meeting, summary: Where they met.}"
    assert topic in text
    front.write_text(text.replace(topic, topic.replace("}", ", party: nobody}")), encoding="utf-8")
    code, out = check(run_bot, mini)
    assert code == 1
    assert "party: unknown entity 'nobody'" in out
