"""Run the fake Discord in a process of its own (for benchmarks and load runs):

    python -m tests.fakediscord --latency 0.05 [--port 0] [--nonce-ttl 300] [--no-limits]

It prints one JSON line, {"port": …, "api_base": …, "gateway_url": …}, then serves until SIGINT
or SIGTERM; the control routes under /_fake/ add channels, dispatch slash commands and report what
happened. Request bodies are checked against BRIEFBOT_DISCORD_SPEC when it is set.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import signal
import sys

from tests.fakediscord.server import FakeDiscord, Limits
from tests.fakediscord.spec import SpecValidator, spec_path


async def serve(args: argparse.Namespace) -> None:
    # A burst of 10,000 digests leaves a million small objects here; Python's cyclic collector would
    # stop this loop for 100 ms and more at a time, bunching requests as Discord never would.
    # Nothing here makes reference cycles worth collecting during a run.
    gc.disable()
    path = spec_path()
    spec = SpecValidator.load(path) if path is not None else None
    limits = Limits(latency=args.latency, nonce_ttl=args.nonce_ttl)
    if args.no_limits:
        limits.global_per_second = limits.channel_messages = None
    fake = FakeDiscord(spec, token=args.token, limits=limits)
    await fake.start(args.port)
    print(json.dumps({"port": fake.port, "api_base": fake.api_base, "gateway_url": fake.gateway_url}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await fake.stop()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakediscord", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each REST answer takes")
    parser.add_argument("--nonce-ttl", type=float, default=300.0, help="seconds a nonce is remembered")
    parser.add_argument("--no-limits", action="store_true", help="switch Discord's rate limits off")
    parser.add_argument("--token", default=None, help="refuse requests without this bot token")
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
