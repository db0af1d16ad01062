"""Benchmark of digest delivery: prints figures, asserts nothing.

    python -m tests.benchmarks.digests                 # everything below (about 20 minutes)
    python -m tests.benchmarks.digests burst --sizes 1000 10000 --databases sqlite postgresql
    python -m tests.benchmarks.digests load --channels 1000
    python -m tests.benchmarks.digests race --runs 50

burst: N channels due in the same minute, the bot in this process against the fake Discord in
another (50 ms per answer, Discord's global and per-channel limits on): time from the slot to the
last digest and its ratio to the bound N / 45 s (the bot's default share of the 50 requests/s),
429s received, duplicates, missing, event-loop lag p99 during the burst, and /digest send-now
pressed in the middle of it. PostgreSQL needs BRIEFBOT_TEST_POSTGRES_URL (its tables are dropped).

load: the same from outside, with the bot started as `python -m bot run`; the bound is N / 50 s.

race: two `python -m bot run` processes started together on one database, `--runs` times:
duplicates and lost digests in all.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from tests.benchmarks.digest_runs import burst_in_process, load_from_outside, median, race


async def bursts(sizes: list[int], databases: list[str]) -> None:
    for kind in databases:
        for size in sizes:
            burst = await burst_in_process(kind, size)
            if burst is None:
                print(f"{kind}: skipped (BRIEFBOT_TEST_POSTGRES_URL is unset)", flush=True)
                continue
            print("\n".join(burst.lines()), flush=True)


async def loads(channels: int, database: str) -> None:
    burst = await load_from_outside(channels, kind=database)
    print("\n".join(burst.lines()), flush=True)
    n429 = sum(burst.rate_limited.values())
    print(f"  targets: last digest within 1.25 × N/50 s = {1.25 * burst.bound_s:.1f} s; at most {channels // 100} "
          f"429s (got {n429}); send-now reply within 3 s, its digest within 10 s", flush=True)  # fmt: skip


async def races(runs: int, database: str) -> None:
    result = await race(runs, kind=database)
    print(f"two processes racing on one {database} database, {result.runs} runs of 40 due digests: "
          f"{result.duplicates} duplicates, {result.lost} lost; median {median(result.seconds):.1f} s a run",
          flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.digests", description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", choices=["all", "burst", "load", "race"], default="all")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--channels", type=int, default=1000, help="channels in the load run")
    parser.add_argument("--runs", type=int, default=50, help="runs of the two-process race")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.what in ("all", "burst"):
        asyncio.run(bursts(args.sizes, args.databases))
    if args.what in ("all", "load"):
        asyncio.run(loads(args.channels, "sqlite"))
    if args.what in ("all", "race"):
        for database in args.databases:
            asyncio.run(races(args.runs, database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
