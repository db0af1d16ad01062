"""Fixtures for Discord tests: a fake Discord on 127.0.0.1 and the real bot logged into it."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.adapters.discord.client import BriefBot, create_bot
from bot.briefing.models import Briefing
from bot.config import Settings
from tests.fakediscord.server import FakeDiscord, Recorded
from tests.fakediscord.spec import SPEC_VARIABLE, SpecValidator, spec_path

TOKEN = "MTAw.fake-token-for-tests.do-not-log-me"


def load_spec() -> SpecValidator | None:
    """Discord's API description when BRIEFBOT_DISCORD_SPEC names it; a named but missing file fails."""
    path = spec_path()
    if path is None:
        return None
    if not path.is_file():
        pytest.fail(f"{SPEC_VARIABLE}={path} names no file: the Discord API description is required")
    return SpecValidator.load(path)


@pytest.fixture(scope="session")
def spec() -> SpecValidator | None:
    return load_spec()


@pytest.fixture
async def fake(spec: SpecValidator | None) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(spec)
    await server.start()
    yield server
    await server.stop()
    assert_discord_accepted_everything(server)


def assert_discord_accepted_everything(fake: FakeDiscord) -> None:
    """Every body the bot sent was one Discord accepts, and every follow-up and edit of an interaction
    response arrived: checked after each test against the fake, whatever the test looked at."""
    refused = [(r.method, r.path, r.problems) for r in fake.requests if r.status == 400 and r.problems]
    assert refused == [], "Discord would refuse these bodies"
    lost = [(r.method, r.path, r.status) for r in fake.requests if r.path.startswith("/webhooks/") and r.status >= 300]
    assert lost == [], "these follow-ups did not arrive"


def settings_for(fake: FakeDiscord, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": SecretStr(TOKEN),
        "dev_guild_id": int(fake.guild_id),
        "discord_api_base": fake.base_url,
        "discord_gateway_url": fake.gateway_url,
        "owner_ids": [],
        "cooldown_rate": 50,
        "cooldown_seconds": 60,
        "database_url": f"sqlite:///{tempfile.mkdtemp(prefix='briefbot-test-')}/digests.db",
        "digest_tick_seconds": 0.2,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def running(settings: Settings, briefing: Briefing) -> AsyncIterator[BriefBot]:
    bot = create_bot(settings, briefing, guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start(TOKEN))
    ready = asyncio.create_task(bot.wait_until_ready())
    try:
        await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # start-up failed: show why
        if not ready.done():
            raise TimeoutError("the bot did not become ready within 10 s")
        yield bot
    finally:
        ready.cancel()
        await bot.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


@pytest.fixture
async def bot(fake: FakeDiscord, briefing: Briefing) -> AsyncIterator[BriefBot]:
    async with running(settings_for(fake), briefing) as started:
        yield started


async def followup(
    fake: FakeDiscord, payload: dict[str, Any], method: str = "PATCH", timeout: float = 10.0
) -> Recorded:
    """The answer that follows a deferred response (an edit of @original, or a POST follow-up): it must
    arrive, with a body Discord accepts."""
    webhook = f"/webhooks/{fake.application_id}/{payload['token']}"
    sent = await fake.wait_for(lambda r: r.method == method and r.path.startswith(webhook), timeout)
    assert 200 <= sent.status < 300, (sent.status, sent.problems)
    assert sent.problems == []
    return sent


async def interact(fake: FakeDiscord, payload: dict[str, Any], timeout: float = 5.0) -> Recorded:
    """Dispatch an interaction and return the bot's successful response to it."""
    await fake.dispatch("INTERACTION_CREATE", payload)
    path = f"/interactions/{payload['id']}/{payload['token']}/callback"
    return await fake.wait_for(lambda r: r.path == path and r.status < 300, timeout)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Button label → custom_id, from a message's components."""
    return {
        c["label"]: c["custom_id"]
        for row in message.get("components", [])
        for c in row.get("components", [])
        if c.get("type") == 2
    }
