"""`python -m bot run` as an operator starts it, against a fake Discord on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from bot.commands import registry
from bot.commands.registry import Audience, Surface
from tests.conftest import PROJECT
from tests.discord.conftest import TOKEN, interact
from tests.fakediscord.server import FakeDiscord

EPHEMERAL = 64


def operator_env(fake: FakeDiscord, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "SHARD_"))}
    env.update(
        DISCORD_TOKEN=TOKEN,
        DEV_GUILD_ID=fake.guild_id,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'digests.db'}",
    )
    return env


@contextlib.asynccontextmanager
async def bot_process(fake: FakeDiscord, env: dict[str, str], errors: list[bytes]) -> AsyncIterator[None]:
    """`python -m bot run`, logged in and ready; stopped with Ctrl-C (its stderr lands in `errors`)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await asyncio.wait_for(fake.identified.wait(), 30)
        await fake.wait_for(lambda r: r.method == "PUT" and f"/guilds/{fake.guild_id}/commands" in r.path, 30)
        await asyncio.sleep(0.5)  # READY and GUILD_CREATE processed
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = await asyncio.wait_for(process.communicate(), 15)
        except TimeoutError:
            process.kill()
            _, err = await process.communicate()
        errors.append(err)


async def test_run_logs_in_syncs_to_the_dev_guild_and_answers_ask_within_3_seconds(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    errors: list[bytes] = []
    async with bot_process(fake, operator_env(fake, tmp_path), errors):
        (sync,) = fake.sent("PUT", rf"/guilds/{fake.guild_id}/commands$")
        assert sync.status == 200 and "ask" in {c["name"] for c in sync.body}
        started = time.monotonic()
        response = await interact(fake, fake.slash("ask", {"question": "where did kim and putin meet"}), timeout=3)
        assert time.monotonic() - started < 3
        (embed,) = response.body["data"]["embeds"]
        assert "Vostochny" in embed["description"]
        assert any(f["name"] == "Sources" and "[a" in f["value"] for f in embed["fields"])
    assert TOKEN.encode() not in errors[0]
    assert f"the bot token goes to http://127.0.0.1:{fake.port} (REST)".encode() in errors[0]


async def test_readers_reach_the_bot_wherever_they_are(fake: FakeDiscord, tmp_path: Path) -> None:
    """Issue 13's must-show, from outside: an operator syncs globally (`briefbot sync`) and runs the bot;
    readers use it in the server, in a DM and elsewhere through a user install, and check a message."""
    env = operator_env(fake, tmp_path)
    sync = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "sync", cwd=PROJECT, env=env)
    assert await asyncio.wait_for(sync.wait(), 60) == 0
    errors: list[bytes] = []
    async with bot_process(fake, env, errors):
        # The synced commands (global and the dev guild's): readers' installable by users and usable in
        # servers, DMs and private channels; /digest and /reload by the server and in it only.
        for synced in (fake.commands[None], fake.commands[fake.guild_id]):
            declared = {c["name"]: c for c in synced}
            for entry in registry.on(Surface.discord):
                command = declared[entry.name]
                if entry.audience is Audience.reader:
                    assert sorted(command["integration_types"]) == [0, 1], entry.name
                    assert sorted(command["contexts"]) == [0, 1, 2], entry.name
                else:
                    assert (command["integration_types"], command["contexts"]) == ([0], [0]), entry.name
        assert fake.offered("digest", 1, "dm", "user") is None
        assert fake.offered("reload", 1, "elsewhere", "user") is None

        # "Check in briefing" on a message claiming where Kim and Putin met: only the one who asked
        # sees the answer, naming the Vostochny Cosmodrome, with its sources.
        for where in ("guild", "elsewhere", "dm"):
            message = fake.posted("Kim and Putin met in Vladivostok this week, at the economic forum.", where=where)
            response = await interact(fake, fake.message_command("Check in briefing", message, where=where))
            data = response.body["data"]
            assert response.body["type"] == 4 and data["flags"] & EPHEMERAL, where
            (embed,) = data["embeds"]
            first = embed["fields"][0]
            assert "Vostochny Cosmodrome" in first["value"], where
            assert "sources a" in first["value"], where

        # /ask in a DM, through a user install: the bot is not in that channel; it answers all the same.
        payload = fake.slash("ask", {"question": "where did kim and putin meet"}, where="dm", install="user")
        assert "guild_id" not in payload and payload["authorizing_integration_owners"] == {"1": fake.reader["id"]}
        response = await interact(fake, payload)
        (embed,) = response.body["data"]["embeds"]
        assert "Vostochny" in embed["description"]

    # Every request the bot made was one Discord accepts, per its OpenAPI description and limits.
    assert [(r.method, r.path, r.problems) for r in fake.requests if r.problems] == []
    assert [(r.method, r.path, r.status) for r in fake.requests if r.status >= 400] == []
    assert TOKEN.encode() not in errors[0]
