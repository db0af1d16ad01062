"""`briefbot check`: prove the briefing (schema, ids, references, quotes, limits) and report coverage."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from bot.cli.common import load_from_args, subcommand

if TYPE_CHECKING:
    from bot.briefing.load import LoadResult


def register(commands: Any) -> None:
    parser = subcommand(
        commands,
        "check",
        run,
        "validate the briefing and report coverage of the articles",
        "Validate briefings/ against seeds/: every error names the file, the item and the problem.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document for machines")
    parser.add_argument(
        "--min-coverage",
        type=float,
        default=0.0,
        metavar="PERCENT",
        help="also fail when fewer than PERCENT%% of the articles' factual sentences are cited",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="do not list the uncovered sentences")


def coverage_percent(result: LoadResult) -> float:
    total = sum(c.total for c in result.coverage)
    covered = sum(c.covered for c in result.coverage)
    return 100.0 * covered / total if total else 100.0


def counts(result: LoadResult) -> dict[str, int]:
    b = result.briefing
    if b is None:
        return {}
    return {
        "sources": len(b.sources),
        "topics": len(b.topics),
        "entities": len(b.entities),
        "snippets": len(b.snippets),
        "events": len(b.events),
        "quotes": len(b.quotes),
        "disagreements": len(b.disagreements),
        # Search aids (asks.yaml, unasked.yaml): how much the answer engine has to go on.
        "reader_questions": sum(len(a.questions) for a in b.asks),
        "unanswered_questions": sum(len(a.questions) for a in b.unasked),
    }


def run(args: argparse.Namespace) -> int:
    result = load_from_args(args)
    percent = coverage_percent(result)
    coverage_ok = percent >= args.min_coverage
    ok = result.ok and coverage_ok
    if args.json:
        document = {
            "ok": ok,
            "version": result.briefing.version if result.briefing else None,
            "counts": counts(result),
            "coverage": {
                "percent": round(percent, 2),
                "articles": [
                    {"article": c.source_id, "sentences": c.total, "cited": c.covered, "uncovered": list(c.uncovered)}
                    for c in result.coverage
                ],
            },
            "problems": [
                {"file": p.file, "line": p.line, "item": p.item, "message": p.message} for p in result.problems
            ],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0 if ok else 1

    for problem in result.problems:
        print(f"error: {problem}", file=sys.stderr)
    if result.briefing is not None:
        summary = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts(result).items())
        print(f"briefing {result.briefing.version}: {summary}")
    total = sum(c.total for c in result.coverage)
    covered = sum(c.covered for c in result.coverage)
    print(f"coverage: {covered}/{total} factual sentences cited by a snippet ({percent:.1f}%)")
    for c in result.coverage:
        print(f"  {c.source_id}: {c.covered}/{c.total}")
        if not args.quiet:
            for sentence in c.uncovered:
                print(f"    not cited: {sentence}")
    if result.problems:
        print(f"{len(result.problems)} problem(s): the briefing is not valid", file=sys.stderr)
    elif result.briefing is None:
        print("the briefing could not be loaded", file=sys.stderr)
    elif not coverage_ok:
        print(f"coverage {percent:.1f}% is below --min-coverage {args.min_coverage:g}%", file=sys.stderr)
    else:
        print("ok")
    return 0 if ok else 1
