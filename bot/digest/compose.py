"""What a digest holds: a headline, then snippets the channel has not seen, with their sources.

Rotation: no snippet repeats in a channel until every eligible one (after the topic filter) has
been posted; snippets added to the briefing since the channel's last digest come first; within
that, topics take turns so one digest is not all one topic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.briefing.models import Briefing, Snippet
from bot.reply import Reply, ReplyKind
from bot.router import Router

DEFAULT_SIZE = 5
MAX_SIZE = 10


@dataclass(frozen=True)
class Rotation:
    """What a channel has had: the current cycle and what it posted in it, and the snippet ids the
    briefing held at its last digest (None before its first)."""

    cycle: int = 1
    posted: frozenset[str] = frozenset()
    known: frozenset[str] | None = None


@dataclass(frozen=True)
class Pick:
    snippet_id: str
    cycle: int


def eligible(briefing: Briefing, topics: Iterable[str] = ()) -> list[Snippet]:
    wanted = set(topics)
    return [s for s in briefing.snippets if not wanted or s.topic in wanted]


def choose(snippets: list[Snippet], rotation: Rotation, size: int) -> list[Pick]:
    """The next `size` snippets for a channel (fewer only if fewer are eligible)."""
    fresh = [s for s in snippets if s.id not in rotation.posted]
    new = [s for s in fresh if rotation.known is not None and s.id not in rotation.known]
    rest = [s for s in fresh if s not in new]
    picks = [Pick(s.id, rotation.cycle) for s in [*_by_turns(new), *_by_turns(rest)][:size]]
    if len(picks) < size:
        # The cycle is complete: the rest of this digest starts the next one, without repeats in it.
        taken = {p.snippet_id for p in picks}
        again = [s for s in _by_turns(snippets) if s.id not in taken]
        picks += [Pick(s.id, rotation.cycle + 1) for s in again[: size - len(picks)]]
    return picks


def _by_turns(snippets: list[Snippet]) -> list[Snippet]:
    """Topics take turns, each keeping the briefing's order."""
    queues: dict[str, list[Snippet]] = {}
    for snippet in snippets:
        queues.setdefault(snippet.topic, []).append(snippet)
    ordered: list[Snippet] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def marker(number: int) -> str:
    """What every digest carries in its footer, unique in its channel: recovery looks for it among the
    bot's recent messages before posting a digest again whose first post may have reached Discord."""
    return f"Digest #{number}"


def carries_marker(footer: str | None, number: int) -> bool:
    return footer is not None and re.fullmatch(rf"{re.escape(marker(number))}(\D.*)?", footer) is not None


def digest_reply(router: Router, snippet_ids: Iterable[str], number: int | None, topics: Iterable[str] = ()) -> Reply:
    """The digest as a Reply: a headline, the snippets with sources and certainty, "Digest #k"."""
    briefing = router.briefing
    present = {s.id for s in briefing.snippets}
    items = tuple(router.items.snippet(briefing.snippet(i)) for i in snippet_ids if i in present)
    titles = [briefing.topic(t).title for t in topics if t in {x.id for x in briefing.topics}]
    scope = f" · {', '.join(titles)}" if titles else ""
    label = marker(number) if number is not None else "Digest preview"
    return Reply(
        command="digest",
        kind=ReplyKind.listing,
        title=f"{label}: {briefing.title}{scope}",
        description=f"{len(items)} points from the briefing, each with its sources.",
        items=items,
        footer=label,
    )
