"""Digests outside Discord: `briefbot digest preview`, and the console subscribing its own channel."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.console_digests import CONSOLE_CHANNEL, ConsoleDigests
from bot.digest.store import SENT
from bot.router import Router
from tests.conftest import RunBot


def test_cli_preview_prints_a_sourced_digest(run_bot: RunBot) -> None:
    proc = run_bot("digest", "preview", "--topics", "sanctions", "--size", "2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Digest preview: ")
    assert "Sanctions and the UN" in proc.stdout.splitlines()[0]
    assert proc.stdout.count("source: [a") >= 2


def test_cli_preview_refuses_an_unknown_topic(run_bot: RunBot) -> None:
    proc = run_bot("digest", "preview", "--topics", "cooking")
    assert proc.returncode == 2
    assert "No topic matches “cooking”" in proc.stdout


def test_the_console_subscribes_itself_and_prints_digests_as_they_fire(router: Router, tmp_path: Path) -> None:
    out = io.StringIO()
    digests = ConsoleDigests(f"sqlite:///{tmp_path / 'console.db'}", lambda: router, out, poll_seconds=60)
    digests.start()
    try:
        text = digests.handle("subscribe 08:00 Europe/Berlin weekdays arms")
        assert "Digest subscribed" in text and "this console" in text
        assert "08:00 Europe/Berlin, Monday to Friday" in digests.handle("list")
        assert digests.service is not None
        store = digests.service.store
        sub = digests.call(store.subscription(CONSOLE_CHANNEL))
        assert sub is not None
        # Its next slot comes in a second: the scheduler wakes for it (the safety poll is a minute away).
        slot = datetime.now(UTC) + timedelta(seconds=1)
        digests.call(store.set_status(sub.id, "active", None, next_slot=slot))
        digests.wake()
        deadline = time.monotonic() + 15
        while "Digest #1" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "Digest #1" in out.getvalue()
        (delivery,) = digests.call(store.deliveries())
        assert delivery.status == SENT and delivery.claimed_at is not None
    finally:
        digests.stop()
