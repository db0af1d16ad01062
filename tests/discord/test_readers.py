"""Where readers are: user installs (DMs, group DMs, servers without the bot), "Check in briefing" on a
message, and times as Discord timestamps, against the fake Discord."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.discord.client import BriefBot
from bot.briefing.models import Briefing
from bot.commands import registry
from bot.commands.registry import Audience, Kind, Surface
from bot.commands.verify import MAX_CLAIMS
from bot.router import Router
from tests.discord.conftest import buttons, interact
from tests.fakediscord.server import FakeDiscord, NotOffered, Where

EPHEMERAL = 64
EVERYWHERE = [0, 1, 2]  # guild, bot DM, private channel
BOTH_INSTALLS = [0, 1]  # guild install, user install


def embeds_of(record: Any) -> list[dict[str, Any]]:
    return record.body["data"].get("embeds", [])


@pytest.fixture
async def everywhere(fake: FakeDiscord, bot: BriefBot) -> BriefBot:
    """The bot with its commands also synced globally (`briefbot sync`): user installs reach only
    global commands, in DMs and in servers the bot is not in."""
    await bot.tree.sync()
    return bot


async def test_reader_commands_are_installable_by_users_and_usable_everywhere(fake: FakeDiscord, bot: BriefBot) -> None:
    (sync,) = fake.sent("PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$")
    synced = {c["name"]: c for c in sync.body}
    readers = [c.name for c in registry.on(Surface.discord) if c.audience is Audience.reader]
    assert set(readers) == {
        "ask",
        "brief",
        "topic",
        "who",
        "timeline",
        "quotes",
        "sources",
        "help",
        "Check in briefing",
    }
    for name in readers:
        assert sorted(synced[name]["integration_types"]) == BOTH_INSTALLS, name
        assert sorted(synced[name]["contexts"]) == EVERYWHERE, name
    for name in ("digest", "reload"):
        assert synced[name]["integration_types"] == [0], name
        assert synced[name]["contexts"] == [0], name
        assert synced[name]["dm_permission"] is False


async def test_only_reader_commands_are_offered_outside_the_server(fake: FakeDiscord, everywhere: BriefBot) -> None:
    for where in ("dm", "private", "elsewhere"):
        for name in ("ask", "brief", "who", "help"):
            assert fake.offered(name, 1, where, "user") is not None, (name, where)
        assert fake.offered("Check in briefing", 3, where, "user") is not None, where
        for name in ("digest", "reload"):
            assert fake.offered(name, 1, where, "user") is None, (name, where)
            with pytest.raises(NotOffered):
                fake.slash(name, where=where)
    # Through the server install, the bot's own DM offers the reader commands and not the others.
    assert fake.offered("ask", 1, "dm", "guild") is not None
    assert fake.offered("digest", 1, "dm", "guild") is None


@pytest.mark.parametrize("where", ["dm", "private", "elsewhere"])
async def test_ask_through_a_user_install_answers_with_interaction_responses_only(
    fake: FakeDiscord, everywhere: BriefBot, where: Where
) -> None:
    before = len(fake.requests)
    payload = fake.slash("ask", {"question": "where did kim and putin meet"}, where=where, install="user")
    assert ("guild_id" in payload) is (where == "elsewhere")
    assert payload["authorizing_integration_owners"] == {"1": fake.reader["id"]}
    response = await interact(fake, payload)
    assert response.status == 200 and response.body["type"] == 4
    (embed,) = embeds_of(response)
    assert "Vostochny" in embed["description"]
    assert any(f["name"] == "Sources" and "[a" in f["value"] for f in embed["fields"])
    # Nothing but the interaction response: no channel, guild or member looked up, nothing posted.
    assert [(r.method, r.path) for r in fake.requests[before:]] == [("POST", response.path)]
    # Its buttons work there too, for the one who asked.
    message = fake.messages[fake.originals[payload["token"]]]
    assert message["channel_id"] == payload["channel"]["id"]
    clicked = await interact(fake, fake.click(message, buttons(message)["More results"]))
    assert clicked.body["type"] == 7
    assert embeds_of(clicked)[0]["footer"]["text"].startswith("Result 2 of")


async def test_a_two_part_question_gets_both_answers_and_names_what_is_not_covered(
    fake: FakeDiscord, bot: BriefBot
) -> None:
    payload = fake.slash("ask", {"question": "what colour is the train and who is jo chun ryong"})
    (embed,) = embeds_of(await interact(fake, payload))
    assert "green" in embed["description"] and "Jo Chun-ryong" in embed["description"]
    assert {"name": "Certainty", "value": "Labelled part by part", "inline": True} in embed["fields"]
    assert "(Confirmed fact)" in embed["description"] and "(Entity card)" in embed["description"]
    payload = fake.slash("ask", {"question": "who greeted kim at khasan and what was the weather like"})
    (embed,) = embeds_of(await interact(fake, payload))
    assert "Kozhemyako" in embed["description"]
    assert {
        "name": "Not covered by this briefing",
        "value": "“what was the weather like”",
        "inline": False,
    } in embed["fields"]


async def test_browsing_works_in_a_group_dm(fake: FakeDiscord, everywhere: BriefBot) -> None:
    for name, options, title in (
        ("who", {"name": "Peskov"}, "Dmitry Peskov"),
        ("timeline", None, "Timeline"),
        ("topic", {"name": "sanctions"}, "Sanctions and the UN"),
        ("help", None, "briefbot"),
    ):
        response = await interact(fake, fake.slash(name, options, where="private"))
        assert title in embeds_of(response)[0]["title"], name


CLAIM = "Kim Jong Un and Putin met in Vladivostok this week, at the economic forum."


async def check(fake: FakeDiscord, content: str, where: Where = "guild") -> tuple[dict[str, Any], Any]:
    message = fake.posted(content, where=where)
    response = await interact(fake, fake.message_command("Check in briefing", message, where=where))
    return message, response


@pytest.mark.parametrize("where", ["guild", "elsewhere", "dm", "private"])
async def test_check_in_briefing_answers_only_the_asker_with_what_the_briefing_says_and_its_sources(
    fake: FakeDiscord, everywhere: BriefBot, where: Where
) -> None:
    _, response = await check(fake, CLAIM, where)
    data = response.body["data"]
    assert response.body["type"] == 4
    assert data["flags"] & EPHEMERAL
    (embed,) = data["embeds"]
    assert embed["title"] == "What the briefing says"
    first = embed["fields"][0]
    assert first["name"] == f"“{CLAIM}”"
    assert "Vostochny Cosmodrome" in first["value"]
    assert re.search(r"sources a\d", first["value"])
    # Where the articles disagree about where the summit was, it says so, citing both sides.
    assert any(f["name"].startswith("Sources differ: ") for f in embed["fields"])
    # The Sources button shows the cited sentences, verbatim.
    message = fake.messages[fake.originals[response.path.split("/")[3]]]
    sources = await interact(fake, fake.click(message, buttons(message)["Sources"]))
    assert sources.body["data"]["flags"] & EPHEMERAL
    assert any("Vostochny Cosmodrome" in f["value"] for f in embeds_of(sources)[0]["fields"])


async def test_check_in_briefing_says_plainly_when_the_briefing_does_not_cover_a_claim(
    fake: FakeDiscord, everywhere: BriefBot
) -> None:
    _, response = await check(fake, "Pineapple belongs on pizza, and everyone knows it.")
    assert response.body["data"]["flags"] & EPHEMERAL
    (embed,) = embeds_of(response)
    assert embed["title"] == "Not covered by this briefing"
    assert "Pineapple belongs on pizza" in embed["description"]


async def test_check_in_briefing_of_a_long_message_checks_each_claim_within_discords_limits(
    fake: FakeDiscord, everywhere: BriefBot
) -> None:
    claims = [
        "Kim Jong Un travelled to Russia on an armoured train.",
        "Pineapple belongs on pizza.",
        "The United States warned that an arms deal could trigger sanctions.",
        "Dmitry Peskov said Russia would not take Washington's warnings into account.",
        *(f"Claim number {n} is about the summit of {n} leaders." for n in range(2, 30)),
    ]
    content = " ".join(claims)[:4000]  # a Nitro user's longest message
    _, response = await check(fake, content)
    (embed,) = embeds_of(response)
    assert f"Checked the first {MAX_CLAIMS} of " in embed["description"]
    message = fake.messages[fake.originals[response.path.split("/")[3]]]
    seen = list(embed["fields"])
    while "Next" in buttons(message) and not next(
        c for row in message["components"] for c in row["components"] if c.get("label") == "Next"
    ).get("disabled"):
        clicked = await interact(fake, fake.click(message, buttons(message)["Next"]))
        seen += embeds_of(clicked)[0]["fields"]
    claims_shown = [f for f in seen if f["name"].startswith("“")]
    assert len(claims_shown) == MAX_CLAIMS
    assert any("Not covered" in f["value"] for f in claims_shown)
    assert any("armoured train" in f["value"] or "train" in f["value"] for f in claims_shown)


async def test_check_in_briefing_on_a_message_without_text(fake: FakeDiscord, everywhere: BriefBot) -> None:
    _, response = await check(fake, "")
    assert response.body["data"]["flags"] & EPHEMERAL
    assert "no text to check" in embeds_of(response)[0]["description"]


async def test_the_menu_entry_is_declared_as_a_message_command(fake: FakeDiscord, bot: BriefBot) -> None:
    (sync,) = fake.sent("PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$")
    (entry,) = [c for c in sync.body if c["name"] == "Check in briefing"]
    assert entry["type"] == 3 and "options" not in entry and entry["default_member_permissions"] is None
    assert registry.command("Check in briefing").kind is Kind.message


def briefing_with_a_known_moment(briefing: Briefing) -> tuple[Briefing, datetime]:
    """The shipped briefing with one event given an exact moment (as a curator would when an article
    gives the date and the time of day)."""
    moment = datetime(2023, 9, 13, 3, 0, tzinfo=UTC)
    events = list(briefing.events)
    events[0] = events[0].model_copy(update={"at": moment})
    return briefing.model_copy(update={"events": tuple(events)}), moment


async def test_a_timeline_entry_with_a_known_moment_is_a_discord_timestamp(
    fake: FakeDiscord, bot: BriefBot, briefing: Briefing
) -> None:
    changed, moment = briefing_with_a_known_moment(briefing)
    bot.serve(Router(changed, Surface.discord))
    response = await interact(fake, fake.slash("timeline"))
    fields = embeds_of(response)[0]["fields"]
    assert fields[0]["value"].startswith(f"<t:{int(moment.timestamp())}:F>\n")
    assert fields[0]["name"] == changed.events[0].when  # the article's words stay as the label
    # Entries the articles give as "Tuesday" or "July" stay text.
    assert not any("<t:" in f["value"] for f in fields[1:])


async def test_the_shipped_timeline_shows_times_only_as_the_articles_give_them(
    fake: FakeDiscord, bot: BriefBot
) -> None:
    response = await interact(fake, fake.slash("timeline"))
    (embed,) = embeds_of(response)
    assert not any("<t:" in f["value"] for f in embed["fields"])
