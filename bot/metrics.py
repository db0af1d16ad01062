"""What `/metrics` reports, in Prometheus's text format (prometheus-client).

- `briefbot_answers_total{outcome}`: questions, by the reply's kind (`answer`, `not_covered`,
  `error` for an empty question, `failed` when answering raised);
- `briefbot_answer_seconds`: how long the answer engine took per question (a histogram);
- `briefbot_digests_sent_total`, `briefbot_digests_failed_total`, `briefbot_digests_pending`: read at
  each scrape from whatever holds the digest figures (`DigestFigures`);
- `briefbot_rate_limit_waits_total{source}`: waits for Discord's rate limits, by the digest sender's
  own pacing (`digest_pacing`, from `DigestFigures`) and by discord.py after a 429 (`discord_429`).

Each process serves its own figures; Prometheus adds them up across processes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.reply import Reply

# The answer engine answers in about a millisecond; a slow question is tens of milliseconds.
ANSWER_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
# What discord.py logs (at WARNING) each time it waits out a 429 before trying again.
_DISCORD_429 = "We are being rate limited."


class DigestFigures(Protocol):
    """This process's digest figures since it started (pending: claimed now, not yet sent or failed).

    Whatever keeps them only needs these four attributes: the digest service's counters do.
    """

    @property
    def sent(self) -> int: ...

    @property
    def failed(self) -> int: ...

    @property
    def pending(self) -> int: ...

    @property
    def rate_limit_waits(self) -> int: ...


class Metrics:
    """One process's metrics, in a registry of their own (tests make as many as they like)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.answers = Counter(
            "briefbot_answers", "Questions answered, by outcome", ["outcome"], registry=self.registry
        )
        self.answer_seconds = Histogram(
            "briefbot_answer_seconds",
            "Time the answer engine took per question",
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.discord_429 = 0
        self._digests = _DigestCollector()
        self.registry.register(self._digests)

    def answered(self, reply: Reply | None, seconds: float) -> None:
        """One question: its reply (None when answering raised) and how long it took."""
        self.answers.labels(outcome=reply.kind.value if reply is not None else "failed").inc()
        self.answer_seconds.observe(seconds)

    def exposition(self, digests: DigestFigures | None) -> bytes:
        """The text Prometheus scrapes; the digest figures as they are now (None: no digests here)."""
        self._digests.figures = digests
        self._digests.discord_429 = self.discord_429
        return generate_latest(self.registry)

    def rate_limit_listener(self) -> logging.Handler:
        """A logging handler for discord.py's `discord.http` logger that counts its 429 waits."""
        metrics = self

        class _Count429(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if isinstance(record.msg, str) and record.msg.startswith(_DISCORD_429):
                    metrics.discord_429 += 1

        return _Count429(logging.WARNING)


class _DigestCollector(Collector):
    def __init__(self) -> None:
        self.figures: DigestFigures | None = None
        self.discord_429 = 0

    def collect(self) -> Iterator[Metric]:
        waits = CounterMetricFamily(
            "briefbot_rate_limit_waits", "Waits for Discord's rate limits, by who waited", labels=["source"]
        )
        waits.add_metric(["discord_429"], self.discord_429)
        figures = self.figures
        if figures is not None:
            yield CounterMetricFamily("briefbot_digests_sent", "Digests posted", value=figures.sent)
            yield CounterMetricFamily("briefbot_digests_failed", "Digests given up on", value=figures.failed)
            yield GaugeMetricFamily("briefbot_digests_pending", "Digests claimed, not yet sent", value=figures.pending)
            waits.add_metric(["digest_pacing"], figures.rate_limit_waits)
        yield waits
