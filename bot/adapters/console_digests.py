"""Digests in the console: it can subscribe its own channel, and prints each digest as it fires."""

from __future__ import annotations

import asyncio
import shlex
import threading
from collections.abc import Callable
from typing import TextIO

from bot.adapters.text import render_text
from bot.commands.registry import Surface, command
from bot.digest.commands import DigestCommands, error
from bot.digest.service import DigestService
from bot.digest.store import Store, utcnow
from bot.reply import Reply
from bot.router import Router

# The console is one channel in its own guild, apart from every Discord server.
CONSOLE_GUILD = 0
CONSOLE_CHANNEL = 0
USAGE = " · ".join(sub.usage(Surface.console, prefix="/digest ") for sub in command("digest").subcommands)


class ConsoleDigests:
    def __init__(self, store: Store, router: Callable[[], Router], out: TextIO, tick_seconds: float = 10) -> None:
        self.out = out
        self._print_lock = threading.Lock()
        self.service = DigestService(store, router, self._post, mine=lambda guild: guild == CONSOLE_GUILD)
        self.commands = DigestCommands(self.service, channel_name=lambda _: "this console")
        self._tick_seconds = tick_seconds
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="console-digests", daemon=True)
        self._stopping = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Let the current tick finish, then end the thread (at console exit)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=15)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._ticks())

    async def _ticks(self) -> None:
        await self.service.recover()
        while not self._stopping.is_set():
            await self.service.tick()
            await asyncio.sleep(self._tick_seconds)

    async def _post(self, channel_id: int, reply: Reply, nonce: str) -> int:
        with self._print_lock:
            print(f"\n{render_text(reply)}\n", file=self.out, flush=True)
        return abs(hash(nonce)) % (10**12)

    def handle(self, argument: str) -> str:
        """One `/digest …` line; the reply as text."""
        try:
            words = shlex.split(argument)
        except ValueError as exc:
            return render_text(error(f"Could not read that: {exc}."))
        if not words:
            return USAGE
        action, rest = words[0].lower(), words[1:]
        reply: Reply
        if action == "subscribe":
            if len(rest) < 2:
                return USAGE
            weekdays = rest[2] if len(rest) > 2 else None
            topics = ",".join(rest[3:]) or None
            reply = self.commands.subscribe(
                guild_id=CONSOLE_GUILD, channel_id=CONSOLE_CHANNEL, at=rest[0], zone=rest[1], weekdays=weekdays,
                topics=topics, size=None, by=None, now=utcnow(),
            )  # fmt: skip
        elif action == "list":
            reply = self.commands.list(CONSOLE_GUILD)
        elif action == "preview":
            reply = self.commands.preview(CONSOLE_CHANNEL, ",".join(rest) or None, None)
        elif action == "send-now":
            future = asyncio.run_coroutine_threadsafe(self.commands.send_now(CONSOLE_CHANNEL), self._loop)
            reply = future.result(timeout=60)
        elif action == "pause":
            reply = self.commands.pause(CONSOLE_CHANNEL)
        elif action == "resume":
            reply = self.commands.resume(CONSOLE_CHANNEL, utcnow())
        elif action == "remove":
            reply = self.commands.remove(CONSOLE_CHANNEL)
        else:
            return USAGE
        return render_text(reply) + "\n"
