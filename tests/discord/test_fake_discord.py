"""The fake Discord behaves like Discord where digests depend on it: rate limits with Discord's 429
bodies and headers, nonces remembered for a while and then forgotten, faults on demand, history."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakediscord.server import FakeDiscord, Limits
from tests.fakediscord.spec import SpecValidator

AUTH = {"Authorization": "Bot t"}


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=AUTH) as session:
        yield session


async def start(spec: SpecValidator | None, **limits: Any) -> FakeDiscord:
    fake = FakeDiscord(spec, limits=Limits(**limits))
    await fake.start()
    return fake


def message(nonce: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"content": "hello", "allowed_mentions": {"parse": []}}
    if nonce:
        body.update(nonce=nonce, enforce_nonce=True)
    return body


async def test_the_global_limit_answers_discords_429(spec: SpecValidator | None, client: aiohttp.ClientSession) -> None:
    fake = await start(spec, global_per_second=5)
    try:
        channels = fake.add_channels(6)
        statuses = []
        for channel in channels:
            async with client.post(f"{fake.api_base}/channels/{channel}/messages", json=message()) as response:
                statuses.append(response.status)
                body, headers = await response.json(), response.headers
        assert statuses == [200] * 5 + [429]
        assert body["global"] is True and 0 < body["retry_after"] <= 1 and body["message"]
        assert headers["X-RateLimit-Global"] == "true" and headers["X-RateLimit-Scope"] == "global"
        assert int(headers["Retry-After"]) >= 1 and headers["Via"]
        # Interaction responses are exempt from the global limit.
        async with client.post(f"{fake.api_base}/interactions/1/unknown/callback", json={"type": 1}) as response:
            assert response.status == 404
        await asyncio.sleep(1.0)
        async with client.post(f"{fake.api_base}/channels/{channels[-1]}/messages", json=message()) as response:
            assert response.status == 200
    finally:
        await fake.stop()


async def test_one_channel_takes_five_messages_in_five_seconds(
    spec: SpecValidator | None, client: aiohttp.ClientSession
) -> None:
    fake = await start(spec)
    try:
        remaining = []
        for _ in range(6):
            async with client.post(f"{fake.api_base}/channels/{fake.channel_id}/messages", json=message()) as answer:
                remaining.append((answer.status, answer.headers["X-RateLimit-Remaining"]))
                body, headers = await answer.json(), answer.headers
        assert remaining == [(200, "4"), (200, "3"), (200, "2"), (200, "1"), (200, "0"), (429, "0")]
        assert body["global"] is False and 4 < body["retry_after"] <= 5
        assert headers["X-RateLimit-Limit"] == "5" and headers["X-RateLimit-Bucket"]
        assert 4 < float(headers["X-RateLimit-Reset-After"]) <= 5 and "X-RateLimit-Global" not in headers
        assert fake.rate_limited == {"user": 1}
    finally:
        await fake.stop()


async def test_a_nonce_is_remembered_for_a_while_then_forgotten(
    spec: SpecValidator | None, client: aiohttp.ClientSession
) -> None:
    fake = await start(spec, nonce_ttl=0.3)
    try:
        url = f"{fake.api_base}/channels/{fake.channel_id}/messages"
        ids = []
        for pause in (0, 0, 0.4):
            await asyncio.sleep(pause)
            async with client.post(url, json=message("n1")) as response:
                ids.append((await response.json())["id"])
        assert ids[0] == ids[1] != ids[2]
        assert len(fake.channel_messages(fake.channel_id)) == 2 and fake.nonce_hits == 1
    finally:
        await fake.stop()


async def test_recent_messages_read_like_discords(spec: SpecValidator | None, client: aiohttp.ClientSession) -> None:
    fake = await start(spec, channel_messages=None)
    try:
        url = f"{fake.api_base}/channels/{fake.channel_id}/messages"
        made = []
        for _ in range(5):
            async with client.post(url, json=message()) as response:
                made.append((await response.json())["id"])
        async with client.get(url, params={"after": made[1], "limit": "2"}) as response:
            assert [m["id"] for m in await response.json()] == [made[3], made[2]]  # newest first
        async with client.get(url, params={"limit": "100"}) as response:
            assert [m["id"] for m in await response.json()] == made[::-1]
        async with client.get(url, params={"limit": "101"}) as response:
            assert response.status == 400
    finally:
        await fake.stop()


@pytest.mark.parametrize("after_create", [False, True])
async def test_faults_drop_the_connection_before_or_after_the_message_exists(
    spec: SpecValidator | None, client: aiohttp.ClientSession, after_create: bool
) -> None:
    fake = await start(spec)
    try:
        fake.fault_next("POST", r"/messages$", "reset", after_create=after_create)
        with pytest.raises(aiohttp.ClientError):
            async with client.post(f"{fake.api_base}/channels/{fake.channel_id}/messages", json=message()):
                pass
        assert len(fake.channel_messages(fake.channel_id)) == (1 if after_create else 0)
        fake.fault_next("POST", r"/messages$", "hang", hang_seconds=2)
        with pytest.raises(asyncio.TimeoutError):
            async with client.post(
                f"{fake.api_base}/channels/{fake.channel_id}/messages", json=message(),
                timeout=aiohttp.ClientTimeout(total=0.3),
            ):  # fmt: skip
                pass
    finally:
        await fake.stop()


async def test_latency_is_applied_to_every_answer(spec: SpecValidator | None, client: aiohttp.ClientSession) -> None:
    fake = await start(spec, latency=0.2)
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with client.get(f"{fake.api_base}/channels/{fake.channel_id}") as response:
            assert response.status == 200
        assert loop.time() - started >= 0.2
    finally:
        await fake.stop()
