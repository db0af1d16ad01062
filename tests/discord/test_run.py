"""`python -m bot run` as an operator starts it, against a fake Discord on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from tests.conftest import PROJECT
from tests.discord.conftest import TOKEN, interact
from tests.fakediscord.server import FakeDiscord


async def test_run_logs_in_syncs_to_the_dev_guild_and_answers_ask_within_3_seconds(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "SHARD_"))}
    env.update(
        DISCORD_TOKEN=TOKEN,
        DEV_GUILD_ID=fake.guild_id,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'digests.db'}",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await asyncio.wait_for(fake.identified.wait(), 30)
        sync = await fake.wait_for(lambda r: r.method == "PUT" and f"/guilds/{fake.guild_id}/commands" in r.path)
        assert sync.status == 200 and "ask" in {c["name"] for c in sync.body}
        await asyncio.sleep(0.5)  # READY and GUILD_CREATE processed
        started = time.monotonic()
        response = await interact(fake, fake.slash("ask", {"question": "where did kim and putin meet"}), timeout=3)
        assert time.monotonic() - started < 3
        (embed,) = response.body["data"]["embeds"]
        assert "Vostochny" in embed["description"]
        assert any(f["name"] == "Sources" and "[a" in f["value"] for f in embed["fields"])
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = await asyncio.wait_for(process.communicate(), 15)
        except TimeoutError:
            process.kill()
            _, err = await process.communicate()
    assert TOKEN.encode() not in err
    assert f"the bot token goes to http://127.0.0.1:{fake.port} (REST)".encode() in err
