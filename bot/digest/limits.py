"""Pacing sends to Discord's limits before Discord has to say no.

Discord allows a bot 50 requests a second in all (interaction responses apart) and about 5
messages per 5 seconds in one channel; 10,000 refused requests in 10 minutes get its address
banned for an hour. So digests are paced ahead of time: a leaky bucket (aiolimiter) at this
process's share of the global limit (45/s by default, leaving room for commands), with a burst of
two at most so that no one-second window ever sees more than the rate plus two; and one bucket per
channel holding one message and refilling so that no window of 5 seconds sees more than 5. A 429
that still comes pauses everything for its `retry_after` when Discord says it is global.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter

CHANNEL_MESSAGES = 5  # Discord's limit on messages in one channel …
CHANNEL_SECONDS = 5.0  # … per this many seconds
BURST = 2


@dataclass
class SendLimiter:
    per_second: float
    channel_messages: int = CHANNEL_MESSAGES
    channel_seconds: float = CHANNEL_SECONDS
    waits: int = 0  # how often a send had to wait for its turn
    _global: AsyncLimiter | None = None
    _channels: dict[int, tuple[AsyncLimiter, float]] = field(default_factory=dict)
    _paused_until: float = 0.0

    def __post_init__(self) -> None:
        burst = min(BURST, max(1, int(self.per_second)))
        self._global = AsyncLimiter(burst, burst / self.per_second)

    async def acquire(self, channel_id: int | None = None) -> None:
        """Wait for a turn to send to `channel_id` (None: a request that is not a message)."""
        waited = False
        if channel_id is not None:
            limiter = self._channel(channel_id)
            if not limiter.has_capacity():
                waited = True
            await limiter.acquire()
        while (pause := self._paused_until - time.monotonic()) > 0:
            waited = True
            await asyncio.sleep(pause)
        assert self._global is not None
        if not self._global.has_capacity():
            waited = True
        await self._global.acquire()
        if waited:
            self.waits += 1

    def pause(self, seconds: float) -> None:
        """Discord said the bot hit its global limit: nobody sends for `seconds`."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def _channel(self, channel_id: int) -> AsyncLimiter:
        now = time.monotonic()
        entry = self._channels.get(channel_id)
        if entry is None:
            if len(self._channels) > 4096:
                self._forget_idle(now)
            # Capacity 1 refilled every window/(n-1): at most 1 + (n-1) = n sends in any window.
            limiter = AsyncLimiter(1, self.channel_seconds / max(1, self.channel_messages - 1))
        else:
            limiter = entry[0]
        self._channels[channel_id] = (limiter, now)
        return limiter

    def _forget_idle(self, now: float) -> None:
        """A channel bucket idle for a whole period is empty again: drop it."""
        for channel, (_, used) in list(self._channels.items()):
            if now - used > self.channel_seconds:
                del self._channels[channel]
