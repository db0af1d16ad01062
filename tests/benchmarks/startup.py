"""Cold start of the command line: prints figures, asserts nothing.

    python -m tests.benchmarks.startup                       # this checkout, 10 runs of each command
    python -m tests.benchmarks.startup --code /tmp/old-copy  # another copy of briefbot (before/after)
    python -m tests.benchmarks.startup --runs 20 --commands ask

Each run is a new `python -m bot …` process, timed from outside (wall clock) and by the operating
system (user + system CPU of the finished child); one warm-up run first fills the disk cache and the
verified-briefing cache (bot/briefing/cache.py). `ask-edited` runs `ask` with that cache empty each
time, as the first command after an edit of the briefing does. It also lists which heavy libraries
each command imported, from inside a process that ran it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
COMMANDS = {
    "ask": ["ask", "where did kim and putin meet?"],
    "ask-edited": ["ask", "where did kim and putin meet?"],
    "check": ["check", "--quiet"],
    "export": ["export", "--json"],
    "help": ["--help"],
}
HEAVY = ("discord", "sqlalchemy", "apscheduler", "aiohttp", "prometheus_client", "numpy", "rapidfuzz", "pydantic")
_IMPORTED = """
import contextlib, io, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[0].split(",")))))
"""


CACHE = Path(tempfile.mkdtemp(prefix="briefbot-startup-cache-"))


def environment(code: Path, cache: Path = CACHE) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(code), XDG_CACHE_HOME=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a deployed bot has its bytecode cached
    return env


def run_once(code: Path, args: list[str], fresh_cache: bool = False) -> tuple[float, float]:
    """(wall ms, cpu ms) of one process."""
    cache = Path(tempfile.mkdtemp(prefix="briefbot-startup-cache-")) if fresh_cache else CACHE
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=code, env=environment(code, cache),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
    )  # fmt: skip
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def imported(code: Path, args: list[str]) -> str:
    script = _IMPORTED.replace("sys.argv[0]", repr(",".join(HEAVY)))
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=code, env=environment(code), capture_output=True, text=True
    )
    return proc.stdout.strip() or "(none of them)"


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):4.0f}  min {min(values):4.0f}  max {max(values):4.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=PROJECT, help="the copy of briefbot to time (default: this one)")
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each command (after one warm-up)")
    parser.add_argument("--commands", default=",".join(COMMANDS), help=f"some of {', '.join(COMMANDS)}")
    args = parser.parse_args(argv)
    print(f"{args.code}: {args.runs} runs each, ms; python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for name in args.commands.split(","):
        command = COMMANDS[name]
        fresh = name.endswith("-edited")
        run_once(args.code, command, fresh)  # warm-up
        samples = [run_once(args.code, command, fresh) for _ in range(args.runs)]
        print(f"{name:10} wall {spread([w for w, _ in samples])} | cpu {spread([c for _, c in samples])}")
        print(f"           imports: {imported(args.code, command)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
