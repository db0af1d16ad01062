"""Benchmark of /reload: the event loop's longest stall while a 50 MB briefing is rebuilt.

    python -m tests.benchmarks.reload              # 50 MB, the bot against a fake Discord
    python -m tests.benchmarks.reload --megabytes 5

Generates a briefing of that size in a temporary folder (the shipped one plus synthetic snippets:
the real ones with their sentences shuffled and one invented word each, in files of about 1 MB),
starts the real bot on the shipped briefing against the fake Discord, then sends /reload as an
owner: the first loads the large briefing, the second (after one file is removed) replaces it, so
the large briefing is also freed. Meanwhile a timer on the bot's event loop records the longest
time the loop did not run. A third reload runs while a reader asks every half second, to show what
a reader waits (the answers themselves take the loop's time there, so its stall figure says less).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml

from bot.briefing.load import load_briefing
from bot.briefing.models import Briefing
from tests.discord.conftest import interact, running, settings_for
from tests.fakediscord.server import FakeDiscord

PROJECT = Path(__file__).resolve().parents[2]
TICK = 0.001
SNIPPETS_PER_FILE = 800
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def generate(target: Path, shipped: Briefing, megabytes: float, seed: int = 7) -> int:
    """A copy of the project's seeds and briefing grown to `megabytes` of YAML; returns snippets added."""
    shutil.copytree(PROJECT / "seeds", target / "seeds")
    shutil.copytree(PROJECT / "briefings", target / "briefings")
    rng = random.Random(seed)
    real = shipped.snippets
    size = sum(p.stat().st_size for p in (target / "briefings").rglob("*.yaml"))
    made = 0
    while size < megabytes * 1_000_000:
        batch = []
        for _ in range(SNIPPETS_PER_FILE):
            base = real[made % len(real)]
            sentences = base.text.split(". ")
            rng.shuffle(sentences)
            snippet = base.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            snippet.update(id=f"{base.id}-x{made}", text=". ".join(sentences)[:1000] + f" zq{made:06d}")
            batch.append(snippet)
            made += 1
        path = target / "briefings" / "snippets" / f"synthetic-{made // SNIPPETS_PER_FILE:03d}.yaml"
        path.write_text(yaml.dump({"snippets": batch}, Dumper=_Dumper, allow_unicode=True, sort_keys=False), "utf-8")
        size += path.stat().st_size
    return made


class StallMeter:
    """A task on the loop that wakes every millisecond and keeps the longest gap beyond that."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - TICK)
            last = now

    @asynccontextmanager
    async def measuring(self) -> AsyncIterator[StallMeter]:
        self.longest = 0.0
        self._task = asyncio.create_task(self._run())
        try:
            yield self
        finally:
            self._task.cancel()


async def ask(fake: FakeDiscord) -> float:
    started = time.perf_counter()
    await interact(fake, fake.slash("ask", {"question": "where did kim and putin meet"}), timeout=30)
    return time.perf_counter() - started


async def reload_once(fake: FakeDiscord, meter: StallMeter, *, readers: bool) -> dict[str, Any]:
    """/reload as an owner; with `readers`, a reader's /ask every half second until the report arrives."""
    answers: list[float] = []
    payload = fake.slash("reload", by=fake.owner)
    started = time.perf_counter()
    async with meter.measuring():
        await interact(fake, payload, timeout=10)
        report = asyncio.create_task(
            fake.wait_for(lambda r: r.method == "PATCH" and payload["token"] in r.path, timeout=600)
        )
        while not report.done():
            if readers:
                answers.append(await ask(fake))
            await asyncio.wait({report}, timeout=0.5)
        edit = report.result()
    embed = edit.body["embeds"][0]
    return {
        "seconds": time.perf_counter() - started,
        "stall_ms": meter.longest * 1000,
        "title": embed["title"],
        "fields": [(f["name"], f["value"][:60]) for f in embed.get("fields", [])],
        "answers_ms": [a * 1000 for a in answers],
    }


def latency(samples: list[float]) -> str:
    return f"{len(samples)} answered, median {statistics.median(samples):.0f} ms, slowest {max(samples):.0f} ms"


async def main(megabytes: float) -> None:
    shipped = load_briefing(PROJECT)
    with tempfile.TemporaryDirectory(prefix="briefbot-reload-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        added = generate(root, shipped, megabytes)
        files = sorted((root / "briefings").rglob("*.yaml"))
        total = sum(p.stat().st_size for p in files)
        print(
            f"generated {total / 1e6:.1f} MB in {len(files)} files: {len(shipped.snippets) + added} snippets "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        fake = FakeDiscord()
        await fake.start()
        try:
            settings = settings_for(
                fake,
                briefing_dir=root / "briefings",
                seeds_dir=root / "seeds",
                cooldown_rate=1000,
                digest_tick_seconds=300,
            )
            async with running(settings, shipped) as bot:
                meter = StallMeter()
                steps = (
                    ("shipped → 50 MB", False),
                    ("50 MB → 50 MB less one file, freeing the first", False),
                    ("the same again, with a reader asking every 0.5 s", True),
                )
                for label, readers in steps:
                    idle = [await ask(fake) * 1000 for _ in range(10)] if readers else []
                    result = await reload_once(fake, meter, readers=readers)
                    print(
                        f"/reload {label}: {result['title']} in {result['seconds']:.1f} s; "
                        f"longest event-loop stall {result['stall_ms']:.0f} ms",
                        flush=True,
                    )
                    for name, value in result["fields"]:
                        print(f"    {name}: {value}…")
                    if readers:
                        print(f"    /ask before the reload: {latency(idle)}")
                        print(f"    /ask during the reload: {latency(result['answers_ms'])}")
                    synthetic = sorted((root / "briefings" / "snippets").glob("synthetic-*.yaml"))
                    if synthetic and not readers:
                        synthetic[-1].unlink()
                print(f"serving {len(bot.router.briefing.snippets)} snippets")
        finally:
            await fake.stop()
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50.0, help="size of the generated briefing (default 50)")
    asyncio.run(main(parser.parse_args().megabytes))
