"""Which delivering processes are gone, judged without trusting anyone's wall clock.

Every process counts heartbeats in its row of `digest_workers`. An observer remembers, on its own
monotonic clock, when it last saw each count change; a process whose count has not moved for a
whole lease period (or that said it stopped) is gone. Wall clocks that jump or disagree between
hosts cannot make a live process look dead: only its silence can. This is how Kubernetes' leader
election reads leases too (it keeps the observed time locally).

A process keeps itself honest the other way round: it starts a send only while its own last
successful heartbeat is recent, so by the time anyone may take its claims over, it has stopped.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.digest.store import Worker


def new_owner() -> str:
    """This process's name on its claims: unique per start, so a restarted process is a new owner."""
    return secrets.token_hex(8)


def identity() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


@dataclass
class Liveness:
    """Tells which owners are gone from successive readings of the heartbeat table."""

    dead_after: float
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, tuple[int, float]] = field(default_factory=dict)

    def observe(self, rows: Iterable[Worker], me: str) -> list[str]:
        """Record a reading; return the owners that are gone (never `me`)."""
        now = self.clock()
        gone: list[str] = []
        present = set()
        for row in rows:
            present.add(row.owner)
            if row.owner == me:
                continue
            beats, since = self._seen.get(row.owner, (None, now))
            if beats != row.beats:
                since = now
            self._seen[row.owner] = (row.beats, since)
            if row.stopped or now - since >= self.dead_after:
                gone.append(row.owner)
        for owner in set(self._seen) - present:
            del self._seen[owner]
        return gone


@dataclass
class OwnLease:
    """This process's own view of its lease: fresh while the last heartbeat that reached the
    database is younger than `fresh_for` (well under the lease, so a send that starts now ends
    before any observer could call this process gone)."""

    fresh_for: float
    clock: Callable[[], float] = time.monotonic
    _last: float | None = None

    def renewed(self) -> None:
        self._last = self.clock()

    def fresh(self) -> bool:
        return self._last is not None and self.clock() - self._last < self.fresh_for
