"""Digests in the console: it can subscribe its own channel, and prints each digest as it fires.

The console reads lines on its own thread; digests run on an event loop in a thread of their own
(the same pipeline and scheduler as on Discord, serving only the console's guild), and each
`/digest …` line is handed to that loop.
"""

from __future__ import annotations

import asyncio
import shlex
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from datetime import datetime
from typing import Any, TextIO, TypeVar

from bot.adapters.text import render_text
from bot.commands.registry import Surface, command
from bot.digest.commands import DigestCommands, error
from bot.digest.service import DigestService, DigestSettings
from bot.digest.store import CONSOLE_GUILD, Scope, Store, utcnow
from bot.reply import Reply
from bot.router import Router

T = TypeVar("T")
# The console is one channel in its own guild, apart from every Discord server.
CONSOLE_CHANNEL = 0
USAGE = " · ".join(sub.usage(Surface.console, prefix="/digest ") for sub in command("digest").subcommands)


class ConsoleSender:
    """Prints digests. A console has no history to look in, so a digest the console claimed before a
    crash is printed again."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._lock = threading.Lock()

    async def post(self, channel_id: int, reply: Reply, nonce: str) -> int:
        with self._lock:
            print(f"\n{render_text(reply)}\n", file=self.out, flush=True)
        return abs(hash(nonce)) % (10**12)

    async def find(self, channel_id: int, number: int, since: datetime) -> int | None:
        return None


class ConsoleDigests:
    def __init__(
        self,
        database_url: str,
        router: Callable[[], Router],
        out: TextIO,
        poll_seconds: float = 30,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database_url = database_url
        self.router = router
        self.out = out
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.service: DigestService | None = None
        self.commands: DigestCommands | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="console-digests", daemon=True)

    def start(self) -> None:
        """Open the database (migrating it) and start delivering; raises if the database cannot be used."""
        self._thread.start()
        self.call(self._start(), timeout=60)

    def stop(self) -> None:
        """Let a digest being printed finish, release the rest, and end the thread (at console exit)."""
        if not self._thread.is_alive():
            return
        try:
            self.call(self._stop(), timeout=15)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    async def _start(self) -> None:
        store = await Store.open(self.database_url)
        self.service = DigestService(
            store, self.router, ConsoleSender(self.out), scope=Scope(console=True),
            settings=DigestSettings(poll_seconds=self.poll_seconds), clock=self.clock,
        )  # fmt: skip
        self.commands = DigestCommands(self.service, channel_name=lambda _: "this console")
        await self.service.start()

    async def _stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
            await self.service.store.close()

    def call(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run `work` on the digests' loop and wait for its result (from the console's thread)."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(work, self._loop)
        return future.result(timeout=timeout)

    def wake(self) -> None:
        if self.service is not None:
            self._loop.call_soon_threadsafe(self.service.wake)

    def handle(self, argument: str) -> str:
        """One `/digest …` line; the reply as text."""
        try:
            words = shlex.split(argument)
        except ValueError as exc:
            return render_text(error(f"Could not read that: {exc}."))
        if not words or self.commands is None:
            return USAGE
        commands = self.commands
        action, rest = words[0].lower(), words[1:]
        work: Coroutine[Any, Any, Reply]
        if action == "subscribe":
            if len(rest) < 2:
                return USAGE
            weekdays = rest[2] if len(rest) > 2 else None
            topics = ",".join(rest[3:]) or None
            work = commands.subscribe(
                guild_id=CONSOLE_GUILD, channel_id=CONSOLE_CHANNEL, at=rest[0], zone=rest[1], weekdays=weekdays,
                topics=topics, size=None, by=None, now=self.clock(),
            )  # fmt: skip
        elif action == "list":
            work = commands.list(CONSOLE_GUILD)
        elif action == "preview":
            work = commands.preview(CONSOLE_CHANNEL, ",".join(rest) or None, None)
        elif action == "send-now":
            work = commands.send_now(CONSOLE_CHANNEL)
        elif action == "pause":
            work = commands.pause(CONSOLE_CHANNEL)
        elif action == "resume":
            work = commands.resume(CONSOLE_CHANNEL, self.clock())
        elif action == "remove":
            work = commands.remove(CONSOLE_CHANNEL)
        else:
            return USAGE
        reply: Reply = self.call(work, timeout=60)
        return render_text(reply) + "\n"
