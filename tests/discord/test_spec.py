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


EDIT = "/webhooks/1/token/messages/@original"
FOLLOWUP = "/webhooks/1/token"


def test_discord_py_s_follow_ups_and_edits_pass_as_sent(oracle: SpecValidator) -> None:
    """The bodies discord.py 2.7 sends (`handle_message_parameters` always writes `tts`): Discord
    ignores `tts` on an edit, which its description leaves out; nothing else unknown passes."""
    embed = {"title": "Briefing reloaded", "description": "d", "type": "rich", "flags": 0}
    edit = {"embeds": [embed], "components": [], "tts": False, "allowed_mentions": {"parse": []}}
    assert oracle.problems("PATCH", EDIT, {}, edit) == []
    assert oracle.problems("PATCH", "/webhooks/1/token/messages/123", {}, edit) == []
    followup = {"embeds": [embed], "tts": False, "flags": 64, "allowed_mentions": {"parse": []}}
    assert oracle.problems("POST", FOLLOWUP, {"wait": "true"}, followup) == []
    assert oracle.problems("PATCH", EDIT, {}, {**edit, "colour": 3}) == ["unknown key $.colour"]
    # `tts` is ignored on edits only where discord.py sends it, not on other routes that omit it.
    bot = {"Authorization": "Bot token"}
    channel_edit = oracle.problems("PATCH", "/channels/1/messages/2", {}, {"content": "x", "tts": False}, bot)
    assert channel_edit == ["unknown key $.tts"]


@pytest.mark.parametrize(
    ("method", "path", "body", "problem"),
    [
        ("PATCH", EDIT, {"content": "x" * 2001}, "content has 2001 characters"),
        ("PATCH", EDIT, {"embeds": [{"title": 5}]}, "InvalidRequestBody"),
        ("POST", FOLLOWUP, {"type": 4, "data": {"content": "x"}}, "unknown key $.type"),
        ("POST", FOLLOWUP, {"embeds": [{"fields": [{"name": "n", "value": ""}]}]}, "fields[0].value"),
    ],
)
def test_a_follow_up_discord_would_refuse_is_refused(
    oracle: SpecValidator, method: str, path: str, body: dict[str, object], problem: str
) -> None:
    problems = oracle.problems(method, path, {}, body)
    assert any(problem in p for p in problems), problems


async def test_the_fake_answers_webhooks_as_discord_does(spec: SpecValidator | None) -> None:
    """Follow-ups go only to an answered interaction of this application; an interaction is answered once."""
    import aiohttp

    from tests.fakediscord.server import FakeDiscord

    fake = FakeDiscord(spec)
    await fake.start()
    try:
        payload = fake.slash("help")
        token = payload["token"]
        body = {"content": "hi", "allowed_mentions": {"parse": []}}
        async with aiohttp.ClientSession(f"{fake.api_base}/") as http:
            webhook = f"webhooks/{fake.application_id}/{token}"
            async with http.post(webhook, params={"wait": "true"}, json=body) as early:
                assert early.status == 404  # nothing to follow up yet
            callback = f"interactions/{payload['id']}/{token}/callback"
            async with http.post(callback, json={"type": 5, "data": {"flags": 64}}) as first:
                assert first.status == 204
            async with http.post(callback, json={"type": 4, "data": body}) as again:
                assert again.status == 400 and (await again.json())["code"] == 40060
            async with http.patch(f"{webhook}/messages/@original", json=body) as edit:
                assert edit.status == 200 and (await edit.json())["content"] == "hi"
            async with http.post(webhook, params={"wait": "true"}, json=body) as followup:
                assert followup.status == 200
            async with http.post(f"webhooks/1/{token}", json=body) as other_app:
                assert other_app.status == 404
    finally:
        await fake.stop()
