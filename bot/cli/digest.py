"""`briefbot digest preview`: what a digest would hold, printed, without posting or recording it."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    parser = commands.add_parser("digest", help="digests: preview one", description="Scheduled digests.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    preview = actions.add_parser("preview", help="print a digest as a channel would first get it")
    preview.add_argument("--topics", help="only these topics, comma separated (ids or names)")
    preview.add_argument("--size", type=int, help="how many snippets (default and most: as /digest on Discord)")
    preview.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.adapters.text import render_text
    from bot.cli.common import briefing_or_exit
    from bot.digest.commands import parse_topics
    from bot.digest.compose import DEFAULT_SIZE, MAX_SIZE, Rotation, choose, digest_reply, eligible
    from bot.router import Router

    router = Router(briefing_or_exit(args))
    topics, problem = parse_topics(router, args.topics)
    if problem:
        print(f"briefbot digest preview: {problem}")
        return 2
    size = DEFAULT_SIZE if args.size is None else args.size
    if not 1 <= size <= MAX_SIZE:
        print(f"briefbot digest preview: --size must be 1 to {MAX_SIZE}")
        return 2
    picks = choose(eligible(router.briefing, topics), Rotation(), size)
    print(render_text(digest_reply(router, [p.snippet_id for p in picks], None, topics)))
    return 0
