"""When the pipeline wakes: at the earliest next slot (a one-off APScheduler job, re-armed after
every claim round), and on a slow safety poll in case anything was missed (a subscription changed
by another process, a clock that jumped).

APScheduler 3 waits on the event loop's monotonic timer but decides what is due by the wall
clock, so a clock that jumps only makes it look again; the due slots themselves come from the
database, never from APScheduler's own job store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

DUE, POLL = "digest-due", "digest-poll"


class DigestScheduler:
    def __init__(self, wake: Callable[[], None], poll_seconds: float) -> None:
        self._wake = wake
        self._poll_seconds = poll_seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    def start(self) -> None:
        self._scheduler.add_job(
            self._fire, IntervalTrigger(seconds=self._poll_seconds, timezone=UTC), id=POLL,
            coalesce=True, max_instances=1, misfire_grace_time=None,
        )  # fmt: skip
        self._scheduler.start()

    def arm(self, at: datetime | None) -> None:
        """Wake at `at` (the earliest next slot), replacing the previous wake-up."""
        if not self._scheduler.running:
            return
        if at is None:
            if self._scheduler.get_job(DUE) is not None:
                self._scheduler.remove_job(DUE)
            return
        # Never in the past: a slot that could not be claimed yet is looked at again in a second.
        now = datetime.now(UTC)
        if at <= now:
            at = now + timedelta(seconds=1)
        self._scheduler.add_job(
            self._fire, DateTrigger(run_date=at, timezone=UTC), id=DUE, replace_existing=True,
            misfire_grace_time=None,
        )  # fmt: skip

    async def _fire(self) -> None:
        self._wake()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
