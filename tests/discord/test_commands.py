"""The bot against a fake Discord: what a reader sees for each command, button and mistake."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.adapters.discord.client import BriefBot
from bot.commands import registry
from bot.commands.registry import Audience, Context, Install, Kind, Param, Surface
from bot.router import Router
from tests.discord.conftest import buttons, interact
from tests.fakediscord.server import FakeDiscord, Focus

EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
# Discord's interaction context types and integration types, by the registry's names.
CONTEXTS = {Context.guild: 0, Context.bot_dm: 1, Context.private_channel: 2}
INSTALLS = {Install.guild: 0, Install.user: 1}


def embeds_of(record: Any) -> list[dict[str, Any]]:
    return record.body["data"].get("embeds", [])


async def test_commands_are_synced_to_the_dev_guild_and_never_globally(fake: FakeDiscord, bot: BriefBot) -> None:
    (sync,) = fake.sent("PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$")
    assert sync.status == 200
    names = {c["name"] for c in sync.body}
    assert names == {"ask", "brief", "topic", "who", "timeline", "quotes", "sources", "help", "reload", "digest"}
    ask = next(c for c in sync.body if c["name"] == "ask")
    (question,) = ask["options"]
    assert question["name"] == "question" and question["required"] is True and question["autocomplete"] is True
    assert all(1 <= len(c["description"]) <= 100 for c in sync.body)
    reload = next(c for c in sync.body if c["name"] == "reload")
    assert int(reload["default_member_permissions"]) == 1 << 5  # Manage Server: hidden from readers
    assert fake.sent("PUT", rf"/applications/{fake.application_id}/commands$") == []


def options(params: tuple[Param, ...]) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "description": p.description, "required": p.required, "autocomplete": p.autocomplete}
        for p in params
        if p.on(Surface.discord)
    ]


def declared(synced: dict[str, Any]) -> list[dict[str, Any]]:
    """A synced command's options as the registry words them (subcommands with their own options)."""
    return [
        {"name": o["name"], "description": o["description"], "options": declared(o)}
        if o["type"] == 1
        else {k: o.get(k, False) for k in ("name", "description", "required", "autocomplete")}
        for o in synced.get("options", [])
    ]


async def test_discord_gets_exactly_the_registry_s_commands(fake: FakeDiscord, bot: BriefBot) -> None:
    (sync,) = fake.sent("PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$")
    synced = {c["name"]: c for c in sync.body}
    assert list(synced) == list(registry.names(Surface.discord))
    for entry in registry.on(Surface.discord):
        command = synced[entry.name]
        if entry.kind is Kind.message:  # a context-menu entry: no description, no options
            assert command["type"] == 3 and command.get("options", []) == [], entry.name
        else:
            assert command["type"] == 1 and command["description"] == entry.description, entry.name
            expected = [
                {"name": sub.name, "description": sub.description, "options": options(sub.params)}
                for sub in entry.subcommands
            ] or options(entry.params)
            assert declared(command) == expected, entry.name
        assert sorted(command["contexts"]) == sorted(CONTEXTS[c] for c in entry.contexts), entry.name
        assert sorted(command["integration_types"]) == sorted(INSTALLS[i] for i in entry.installs), entry.name
        hidden = entry.audience is not Audience.reader
        assert command["default_member_permissions"] == (MANAGE_GUILD if hidden else None), entry.name


async def test_ask_answers_with_an_embed_citing_its_sources(fake: FakeDiscord, bot: BriefBot) -> None:
    started = time.monotonic()
    response = await interact(fake, fake.slash("ask", {"question": "where did kim and putin meet"}))
    assert time.monotonic() - started < 3
    assert response.body["type"] == 4
    (embed,) = embeds_of(response)
    assert "Vostochny" in embed["description"]
    sources = next(f for f in embed["fields"] if f["name"] == "Sources")
    assert sources["value"].startswith("[a")
    assert "Certainty" in {f["name"] for f in embed["fields"]}
    assert set(buttons(response.body["data"])) >= {"Sources", "More results"}


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("brief", None, "The summit in 60 seconds"),
        ("topic", {"name": "sanctions"}, "Sanctions and the UN"),
        ("who", {"name": "Choe Sun Hui"}, "Choe Sun"),
        ("timeline", None, "Timeline"),
        ("quotes", {"speaker": "Peskov"}, "Quotes: Dmitry Peskov"),
        ("quotes", None, "Notable quotes"),
        ("sources", None, "Sources"),
    ],
)
async def test_each_reader_command_answers_publicly(
    fake: FakeDiscord, bot: BriefBot, name: str, options: dict[str, str] | None, expected: str
) -> None:
    response = await interact(fake, fake.slash(name, options))
    assert response.body["type"] == 4
    assert not response.body["data"].get("flags", 0) & EPHEMERAL
    (embed,) = embeds_of(response)
    assert expected in embed["title"]


async def test_help_is_shown_only_to_the_asker(fake: FakeDiscord, bot: BriefBot) -> None:
    response = await interact(fake, fake.slash("help"))
    assert response.body["data"]["flags"] & EPHEMERAL
    assert "/ask question" in {f["name"] for f in embeds_of(response)[0]["fields"]}


async def test_a_corrected_typo_is_shown_with_the_answer(fake: FakeDiscord, bot: BriefBot) -> None:
    response = await interact(fake, fake.slash("ask", {"question": "peskoff"}))
    embed = embeds_of(response)[0]
    assert "showing results for “peskov”" in embed["author"]["name"]
    assert embed["title"] == "Dmitry Peskov"


async def test_a_question_near_the_subject_is_refused_with_related_facts(fake: FakeDiscord, bot: BriefBot) -> None:
    response = await interact(fake, fake.slash("ask", {"question": "did kim go to the ballet"}))
    assert response.body["data"]["flags"] & EPHEMERAL
    (embed,) = embeds_of(response)
    assert "“ballet”" in embed["description"]
    related = next(f for f in embed["fields"] if f["name"] == "Related, not an answer")
    assert related["value"].startswith("• ")


@pytest.mark.parametrize(
    ("name", "options", "says"),
    [
        ("topic", {"name": "cooking"}, "No topic matches “cooking”"),
        ("who", {"name": "Xi Jinping"}, "names no one like “Xi Jinping”"),
        ("ask", {"question": "what's the recipe for kimchi"}, "Not covered"),
    ],
)
async def test_bad_input_gets_an_ephemeral_explanation(
    fake: FakeDiscord, bot: BriefBot, name: str, options: dict[str, str], says: str
) -> None:
    response = await interact(fake, fake.slash(name, options))
    assert response.body["data"]["flags"] & EPHEMERAL
    (embed,) = embeds_of(response)
    assert says in f"{embed['title']} {embed.get('description', '')}"


@pytest.mark.parametrize(
    ("name", "option", "typed", "first"),
    [
        ("topic", "name", "sanc", "Sanctions and the UN"),
        ("who", "name", "Jo Chun Y", "Jo Chun"),
        ("quotes", "speaker", "pes", "Dmitry Peskov"),
        ("ask", "question", "", None),
    ],
)
async def test_autocomplete_offers_at_most_25_choices_within_limits(
    fake: FakeDiscord, bot: BriefBot, name: str, option: str, typed: str, first: str | None
) -> None:
    response = await interact(fake, fake.slash(name, {option: Focus(typed)}, kind=4))
    assert response.body["type"] == 8
    choices = response.body["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 and 1 <= len(str(c["value"])) <= 100 for c in choices)
    if first:
        assert choices[0]["name"].startswith(first)


async def test_sources_button_shows_the_quoted_sentences(fake: FakeDiscord, bot: BriefBot) -> None:
    response = await interact(fake, fake.slash("ask", {"question": "crabmeat dumplings"}))
    message = response.body and fake.messages[fake.originals[response.path.split("/")[3]]]
    clicked = await interact(fake, fake.click(message, buttons(message)["Sources"]))
    assert clicked.body["type"] == 4
    assert clicked.body["data"]["flags"] & EPHEMERAL
    (embed,) = embeds_of(clicked)
    assert embed["title"] == "Sources"
    assert any("crabmeat dumplings" in f["value"] for f in embed["fields"])
    assert all(f["value"].startswith("“") for f in embed["fields"])


async def test_more_results_pages_through_the_answers(fake: FakeDiscord, bot: BriefBot) -> None:
    response = await interact(fake, fake.slash("ask", {"question": "sanctions"}))
    message = fake.messages[fake.originals[response.path.split("/")[3]]]
    first_title = message["embeds"][0]["title"]
    clicked = await interact(fake, fake.click(message, buttons(message)["More results"]))
    assert clicked.body["type"] == 7  # the same message, updated
    (embed,) = embeds_of(clicked)
    assert embed["title"] != first_title
    assert embed["footer"]["text"].startswith("Result 2 of")


async def test_buttons_answer_only_the_person_who_asked(fake: FakeDiscord, bot: BriefBot) -> None:
    response = await interact(fake, fake.slash("ask", {"question": "sanctions"}))
    message = fake.messages[fake.originals[response.path.split("/")[3]]]
    before = [dict(e) for e in message["embeds"]]
    clicked = await interact(fake, fake.click(message, buttons(message)["More results"], by=fake.owner))
    assert clicked.body["type"] == 4
    assert clicked.body["data"]["flags"] & EPHEMERAL
    assert "belong to the person who asked" in clicked.body["data"]["content"]
    assert message["embeds"] == before


async def test_a_question_full_of_mentions_pings_no_one(fake: FakeDiscord, bot: BriefBot) -> None:
    question = "@everyone @here <@&123> <@456> where did kim and putin meet"
    response = await interact(fake, fake.slash("ask", {"question": question}))
    assert response.body["data"]["allowed_mentions"] == {"parse": []}
    await interact(fake, fake.slash("ask", {"question": "@everyone kimchi recipe"}))
    assert fake.pinging_bodies() == []


async def test_a_500_from_discord_is_retried_and_the_answer_arrives(fake: FakeDiscord, bot: BriefBot) -> None:
    fake.fail_next("POST", r"^/interactions/.*/callback$", status=500)
    started = time.monotonic()
    response = await interact(fake, fake.slash("ask", {"question": "vostochny"}), timeout=8)
    assert response.status == 200
    assert [r.status for r in fake.sent("POST", r"/callback$")] == [500, 200]
    assert time.monotonic() - started < 3


async def test_cooldown_answers_ephemerally_and_recovers(fake: FakeDiscord, bot: BriefBot) -> None:
    bot.settings = bot.settings.model_copy(update={"cooldown_rate": 2, "cooldown_seconds": 60})
    for _ in range(2):
        ok = await interact(fake, fake.slash("ask", {"question": "train"}))
        assert not ok.body["data"].get("flags", 0) & EPHEMERAL
    slowed = await interact(fake, fake.slash("ask", {"question": "train"}))
    assert slowed.body["data"]["flags"] & EPHEMERAL
    assert "try again in" in embeds_of(slowed)[0]["description"]
    other = await interact(fake, fake.slash("ask", {"question": "train"}, by=fake.owner))
    assert not other.body["data"].get("flags", 0) & EPHEMERAL  # cooldowns are per user


async def test_console_and_discord_show_the_same_facts(fake: FakeDiscord, bot: BriefBot, router: Router) -> None:
    question = "what did adrienne watson urge"
    console = router.ask(question)
    response = await interact(fake, fake.slash("ask", {"question": question}))
    (embed,) = embeds_of(response)
    top = console.items[0]
    assert embed["title"] == top.title
    assert embed["description"] == top.text
    sources = next(f["value"] for f in embed["fields"] if f["name"] == "Sources")
    assert all(f"[{c.article}]" in sources for c in top.citations)


async def test_every_request_body_was_accepted(fake: FakeDiscord, bot: BriefBot) -> None:
    for payload in (
        fake.slash("ask", {"question": "who is michael madden"}),
        fake.slash("topic", {"name": "analysis"}),
        fake.slash("timeline"),
    ):
        await interact(fake, payload)
    await asyncio.sleep(0)
    assert [(r.method, r.path, r.problems) for r in fake.refused()] == []
