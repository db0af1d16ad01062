"""The longest possible answers, /reload, tokens, shards and sync: what operators and curators rely on."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from bot.adapters.discord.client import BriefBot
from bot.briefing.models import (
    Briefing,
    Certainty,
    Citation,
    Disagreement,
    Entity,
    EntityKind,
    Event,
    Quote,
    Side,
    Snippet,
    Source,
    Topic,
)
from bot.commands import registry
from bot.commands.registry import Surface
from bot.logs import RedactingFormatter, setup_logging
from bot.router import Router
from tests.conftest import PROJECT
from tests.discord.conftest import TOKEN, buttons, followup, interact, running, settings_for
from tests.fakediscord.server import FakeDiscord

EPHEMERAL = 64


def longest_briefing() -> Briefing:
    """Every text at its schema limit, every list long: nothing the renderer may assume is short."""
    cite = tuple(Citation.model_construct(article=f"a{i % 5}", quote="Q" * 1500) for i in range(40))
    sources = tuple(
        Source.model_construct(
            id=f"a{i}", file=f"{i}.txt", headline="H" * 256, date="unknown", date_basis="x", summary="S" * 3000
        )
        for i in range(5)
    )
    topic = Topic.model_construct(id="everything", title="T" * 100, summary="S" * 3000, keywords=("summit",))
    entity = Entity.model_construct(
        id="someone",
        name="N" * 100,
        aliases=tuple("A" * 100 for _ in range(30)),
        kind=EntityKind.person,
        role="R" * 300,
    )
    snippets = tuple(
        Snippet.model_construct(
            id=f"s{i}",
            topic="everything",
            title=f"{i} summit " + "t" * 240,
            text="summit " + "x" * 1017,
            certainty=Certainty.claim,
            speaker="someone",
            entities=("someone",),
            terms=("summit",),
            sources=cite,
        )
        for i in range(40)
    )
    events = tuple(
        Event.model_construct(
            id=f"e{i}",
            when="W" * 300,
            order=i,
            text="E" * 1024,
            certainty=Certainty.reported,
            entities=(),
            sources=cite,
        )
        for i in range(40)
    )
    quotes = tuple(
        Quote.model_construct(
            id=f"q{i}",
            speaker="someone",
            role="R" * 500,
            topic="everything",
            context="C" * 3000,
            words="W" * 3000,
            source=cite[0],
        )
        for i in range(40)
    )
    sides = tuple(Side.model_construct(claim="C" * 2000, source=c) for c in cite[:10])
    disagreements = (
        Disagreement.model_construct(id="d", topic="everything", title="D" * 256, text="D" * 1024, sides=sides),
    )
    return Briefing.model_construct(
        version="V" * 200,
        title="B" * 500,
        sources=sources,
        topics=(topic,),
        entities=(entity,),
        snippets=snippets,
        events=events,
        quotes=quotes,
        disagreements=disagreements,
        brief=tuple(s.id for s in snippets[:8]),
        synonyms=(),
    )


async def test_the_longest_possible_answers_stay_within_discords_limits(fake: FakeDiscord, bot: BriefBot) -> None:
    bot.serve(Router(longest_briefing(), Surface.discord))
    payloads = [
        fake.slash("ask", {"question": "summit " + "q" * 290}),
        fake.slash("brief"),
        fake.slash("topic", {"name": "everything"}),
        fake.slash("who", {"name": "N" * 100}),
        fake.slash("timeline"),
        fake.slash("quotes"),
        fake.slash("sources"),
    ]
    for payload in payloads:
        response = await interact(fake, payload)
        assert response.body["data"]["embeds"], payload["data"]["name"]
        message = fake.messages[fake.originals[payload["token"]]]
        if "Sources" in buttons(message):
            await interact(fake, fake.click(message, buttons(message)["Sources"]))
        for label in ("Next", "More results"):
            if label in buttons(message):
                await interact(fake, fake.click(message, buttons(message)[label]))
    assert [(r.path, r.problems) for r in fake.refused()] == []


async def test_reload_by_an_owner_serves_the_new_briefing(fake: FakeDiscord, bot: BriefBot) -> None:
    before = bot.router
    payload = fake.slash("reload", by=fake.owner)
    deferred = await interact(fake, payload, timeout=10)
    assert deferred.body["type"] == 5 and deferred.body["data"]["flags"] & EPHEMERAL
    edit = await followup(fake, payload)
    assert edit.path.endswith("/messages/@original")
    (embed,) = edit.body["embeds"]
    assert embed["title"] == "Briefing reloaded"
    assert f"Now serving {bot.router.briefing.version}" in embed["description"]
    assert fake.messages[fake.originals[payload["token"]]]["embeds"] == edit.body["embeds"]  # the reader sees it
    assert bot.router is not before


async def test_reload_by_a_reader_is_refused(fake: FakeDiscord, bot: BriefBot) -> None:
    response = await interact(fake, fake.slash("reload"))
    assert response.body["data"]["flags"] & EPHEMERAL
    assert "Only the bot's owners" in response.body["data"]["embeds"][0]["description"]


async def test_reload_of_a_broken_briefing_keeps_the_live_one_and_lists_errors(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path
) -> None:
    shutil.copytree(PROJECT / "briefings", tmp_path / "briefings")
    shutil.copytree(PROJECT / "seeds", tmp_path / "seeds")
    broken = tmp_path / "briefings" / "snippets" / "arms.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("article: a1", "article: a9", 1), encoding="utf-8")
    settings = settings_for(fake, briefing_dir=tmp_path / "briefings", seeds_dir=tmp_path / "seeds")
    async with running(settings, briefing) as bot:
        payload = fake.slash("reload", by=fake.owner)
        await interact(fake, payload, timeout=10)
        edit = await followup(fake, payload)
        embed = edit.body["embeds"][0]
        assert embed["title"].startswith("Not reloaded: 1 problem")
        assert "briefings/snippets/arms.yaml" in embed["description"]
        assert "unknown article 'a9'" in embed["description"]
        assert bot.router.briefing.version == briefing.version


def test_the_token_is_redacted_from_every_log_line() -> None:
    record = logging.LogRecord("discord.http", logging.INFO, __file__, 1, "sending %s", (f"Bot {TOKEN}",), None)
    line = RedactingFormatter([TOKEN]).format(record)
    assert TOKEN not in line
    assert "[redacted]" in line


async def test_a_running_bot_never_logs_its_token_nor_interaction_tokens(
    fake: FakeDiscord, briefing: Briefing, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(fake, log_level="DEBUG")
    setup_logging(settings.log_level, settings.secrets)
    payload = fake.slash("ask", {"question": "vostochny"})
    try:
        async with running(settings, briefing):
            await interact(fake, payload)
            logging.getLogger("discord.http").debug("a careless line with %s", TOKEN)
    finally:
        for handler in logging.getLogger().handlers[:]:
            logging.getLogger().removeHandler(handler)
    err = capfd.readouterr().err
    assert "/callback" in err and "INTERACTION_CREATE" in err  # the debug log really ran
    assert TOKEN not in err
    assert payload["token"] not in err


async def test_sharded_bot_logs_in_and_answers(fake: FakeDiscord, briefing: Briefing) -> None:
    async with running(settings_for(fake, shard_count=1), briefing) as bot:
        assert bot.shard_count == 1
        response = await interact(fake, fake.slash("ask", {"question": "where was the train spotted"}))
        assert "Ussuriysk" in response.body["data"]["embeds"][0]["description"]


async def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    return process.returncode or 0, out.decode(), err.decode()


def cli_env(fake: FakeDiscord, token: str = TOKEN) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "SHARD_"))}
    env.update(DISCORD_TOKEN=token, DISCORD_API_BASE=fake.base_url, DISCORD_GATEWAY_URL=fake.gateway_url)
    env["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='briefbot-test-')}/digests.db"
    return env


async def test_sync_command_syncs_to_a_guild_or_globally_on_demand(fake: FakeDiscord) -> None:
    code, out, _ = await run_cli("sync", "--guild", fake.guild_id, env=cli_env(fake))
    count = len(registry.on(Surface.discord))
    assert code == 0 and f"synced {count} commands to guild {fake.guild_id}" in out
    code, out, _ = await run_cli("sync", env=cli_env(fake))
    assert code == 0 and f"synced {count} commands globally" in out
    assert len(fake.sent("PUT", rf"/applications/{fake.application_id}/commands$")) == 1


async def test_a_refused_token_is_explained_without_showing_it(spec: object) -> None:
    fake = FakeDiscord(token="the-right-token")
    await fake.start()
    try:
        code, out, err = await run_cli("run", env=cli_env(fake, token="a-wrong-token"))
    finally:
        await fake.stop()
    assert code == 1
    assert "Discord refused DISCORD_TOKEN" in err
    assert "a-wrong-token" not in out + err


def test_a_digest_of_the_ten_longest_snippets_fits_one_message(router: object) -> None:
    from bot.adapters.discord.render import digest_embed, embed_size
    from bot.digest.compose import digest_reply
    from bot.limits import EMBEDS_TOTAL

    longest = Router(longest_briefing())
    embed = digest_embed(digest_reply(longest, [s.id for s in longest.briefing.snippets[:10]], 12345, ["everything"]))
    data = embed.to_dict()
    assert embed_size(embed) <= EMBEDS_TOTAL
    assert len(data["fields"]) == 10
    assert all(len(f["value"]) <= 1024 and len(f["name"]) <= 256 for f in data["fields"])
    assert data["footer"]["text"] == "Digest #12345"
