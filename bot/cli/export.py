"""`briefbot export [--json]`: the validated briefing as one JSON document (a contract other tools use)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from bot.cli.common import briefing_or_exit, subcommand

if TYPE_CHECKING:
    from bot.briefing.models import Briefing


def register(commands: Any) -> None:
    parser = subcommand(
        commands,
        "export",
        run,
        "print the validated briefing as JSON",
        "Print the validated briefing as one JSON document on stdout; refuse an invalid briefing.",
    )
    # JSON is the only format: --json is accepted, and the same without it.
    parser.add_argument("--json", action="store_true", help="JSON output (the default and only format)")


def document(briefing: Briefing) -> dict[str, Any]:
    """The export contract: these keys, in this shape."""
    return {
        "version": briefing.version,
        "sources": [{"id": s.id, "file": s.file, "headline": s.headline, "date": s.date} for s in briefing.sources],
        "topics": [{"id": t.id, "title": t.title} for t in briefing.topics],
        "snippets": [
            {
                "id": s.id,
                "topic": s.topic,
                "title": s.title,
                "text": s.text,
                "certainty": s.certainty.value,
                # Who makes a claim, and the curator's notes on the certainty rules (briefings/README.md).
                "speaker": s.speaker,
                "confirmed_because": s.confirmed_because,
                "joined_because": s.joined_because,
                "entities": list(s.entities),
                "sources": [{"article": c.article, "quote": c.quote} for c in s.sources],
            }
            for s in briefing.snippets
        ],
        "entities": [
            {"id": e.id, "name": e.name, "aliases": list(e.aliases), "kind": e.kind.value, "role": e.role}
            for e in briefing.entities
        ],
        "events": [e.model_dump(mode="json") for e in briefing.events],
        "quotes": [q.model_dump(mode="json") for q in briefing.quotes],
        "disagreements": [d.model_dump(mode="json") for d in briefing.disagreements],
    }


def run(args: argparse.Namespace) -> int:
    json.dump(document(briefing_or_exit(args)), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
