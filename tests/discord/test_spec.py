"""The oracle itself: Discord's API description refuses what Discord refuses, and more strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakediscord.spec import SPEC_VARIABLE, SpecValidator, could_ping

CALLBACK = "/interactions/1/token/callback"


@pytest.fixture
def oracle(spec: SpecValidator | None) -> SpecValidator:
    if spec is None:
        pytest.skip(
            f"{SPEC_VARIABLE} is unset: bodies are checked against Discord's limits only, not its API description"
        )
    return spec


def message(**data: object) -> dict[str, object]:
    return {"type": 4, "data": {"allowed_mentions": {"parse": []}, **data}}


def test_a_well_formed_answer_passes(oracle: SpecValidator) -> None:
    body = message(embeds=[{"title": "t", "description": "d", "fields": [{"name": "n", "value": "v", "inline": True}]}])
    assert oracle.problems("POST", CALLBACK, {"with_response": "1"}, body) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (message(embeds=[{"title": 5}]), "InvalidRequestBody"),
        (message(content="x", colour=3), "unknown key $.data.colour"),
        (message(content="x" * 2001), "content has 2001 characters"),
        (message(embeds=[{"description": "x" * 4000}, {"description": "y" * 2001}]), "6000"),
        (message(embeds=[{"fields": [{"name": "n", "value": "v" * 1025}]}]), "fields[0].value"),
        ({"type": 8, "data": {"choices": [{"name": "x" * 101, "value": "v"}]}}, "choices[0].name"),
    ],
)
def test_a_body_discord_would_refuse_is_refused(oracle: SpecValidator, body: dict[str, object], problem: str) -> None:
    problems = oracle.problems("POST", CALLBACK, {}, body)
    assert any(problem in p for p in problems), problems


def test_a_message_that_does_not_say_parse_nothing_could_ping() -> None:
    assert could_ping({"content": "@everyone"})
    assert could_ping({"content": "hi", "allowed_mentions": {"parse": ["everyone"]}})
    assert not could_ping({"content": "@everyone", "allowed_mentions": {"parse": []}})


def test_a_spec_variable_naming_a_missing_file_fails_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.discord.conftest import load_spec

    monkeypatch.setenv(SPEC_VARIABLE, str(tmp_path / "missing.json.gz"))
    with pytest.raises(pytest.fail.Exception, match="names no file"):
        load_spec()
    monkeypatch.delenv(SPEC_VARIABLE)
    assert load_spec() is None
