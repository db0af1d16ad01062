"""/reload: a new briefing built beside the live one, swapped in only when whole, and what changed.

Loading, verifying and indexing a large briefing takes seconds. It runs in a worker thread; the
event loop only swaps one reference. Four things would still stall the loop, and are avoided:
- the cyclic garbage collector, which walks every object of a growing heap again and again while
  millions are created: it is paused during the build, and the built briefing is frozen out of
  its way (`gc.freeze`), since it lives until the next reload;
- freeing the replaced briefing in one go (a cascade that holds the interpreter): it is taken
  apart a piece at a time in the worker;
- the worker keeping the interpreter for Python's whole switch interval each time the loop asks for
  it back: the interval is shortened while the worker builds;
- a second reload at once: one runs at a time.

The new engine is warmed in the worker too, so the first answers after the swap are fast.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from bot.briefing.load import LoadResult, load
from bot.briefing.models import Briefing
from bot.commands.registry import Surface
from bot.limits import EMBED_DESCRIPTION, FIELD_VALUE, clip, clip_list
from bot.reply import Item, Reply, ReplyKind
from bot.router import Router

_KINDS = ("snippets", "events", "quotes", "entities", "topics", "disagreements", "sources")
# One build at a time in this process: the collector's pause is process-wide.
_BUILDING = threading.Lock()
# While the worker builds, the event loop waits this long at most for the interpreter each time it
# gives it up (a select(), a numpy call): with Python's 5 ms, one /ask on a 50 MB briefing took
# 250 ms instead of 5; with 1 ms, about 60.
SWITCH_INTERVAL = 0.001


@dataclass(frozen=True)
class Changes:
    """What differs between two briefings for one kind of item, by id."""

    kind: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.edited)


def changes(old: Briefing, new: Briefing) -> list[Changes]:
    """Added, removed and edited ids for every kind of item (snippets first)."""
    result = []
    for kind in _KINDS:
        before: dict[str, BaseModel] = {item.id: item for item in getattr(old, kind)}
        after: dict[str, BaseModel] = {item.id: item for item in getattr(new, kind)}
        result.append(
            Changes(
                kind,
                added=tuple(i for i in after if i not in before),
                removed=tuple(i for i in before if i not in after),
                edited=tuple(i for i, item in after.items() if i in before and before[i] != item),
            )
        )
    return result


@dataclass
class Rebuilt:
    reply: Reply
    # The new briefing's router, or None when the briefing has problems and the live one stays.
    router: Router | None


def rebuild(briefings: Path, seeds: Path, live: Briefing, surface: Surface) -> Rebuilt:
    """Load, verify and index the briefing on disk, and say how it differs from `live`.

    Slow for a large briefing: call it from a worker thread (`Reloader.reload`)."""
    with _BUILDING:
        gc.collect()  # cheap: what lived at start and the live briefing are frozen (`settle`)
        gc.disable()
        interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            result = load(briefings.resolve().parent, briefings, seeds)
            router = Router(result.briefing, surface) if result.ok and result.briefing is not None else None
            if router is not None:
                router.engine.warm()
            reply = report(result, live)
            settle()
        finally:
            sys.setswitchinterval(interval)
            gc.enable()
    return Rebuilt(reply, router)


def settle() -> None:
    """Take everything alive now (modules, the briefing and its index) out of the cyclic collector's
    walks: it lives until the next reload, and walking millions of objects holds the interpreter
    for a third of a second. Freed as usual when its last reference goes."""
    gc.freeze()


def report(result: LoadResult, live: Briefing) -> Reply:
    """What /reload says: what changed, or every problem while the live briefing stays."""
    new = result.briefing
    if not result.ok or new is None:
        problems = [f"• {p}" for p in result.problems]
        head = f"The live briefing stays at {live.version}. Fix these and run `briefbot check`:\n"
        return Reply(
            command="reload",
            kind=ReplyKind.error,
            title=f"Not reloaded: {len(problems)} problem(s)",
            description=head + clip_list(problems, EMBED_DESCRIPTION - len(head), "\n"),
            ephemeral=True,
        )
    found = changes(live, new)
    serving = (
        f"Now serving {new.version} (was {live.version}): {len(new.snippets)} snippets, "
        f"{len(new.entities)} entities, {len(new.events)} events."
    )
    snippets = found[0]
    items = [
        Item(id=f"snippets-{what}", title=f"Snippets {what} ({len(ids)})", text=clip_list(list(ids), FIELD_VALUE))
        for what, ids in (("added", snippets.added), ("removed", snippets.removed), ("edited", snippets.edited))
        if ids
    ]
    others = [_counted(c) for c in found[1:] if c]
    if others:
        items.append(Item(id="other-changes", title="Also changed", text=clip("\n".join(others), FIELD_VALUE)))
    if not any(found):
        serving += " Nothing changed: the files are as they were."
    return Reply(
        command="reload",
        kind=ReplyKind.help,
        title="Briefing reloaded",
        description=clip(serving, EMBED_DESCRIPTION),
        items=tuple(items),
        ephemeral=True,
    )


def _counted(c: Changes) -> str:
    parts = [f"{len(ids)} {what}" for what, ids in (("added", c.added), ("removed", c.removed), ("edited", c.edited))]
    return f"{c.kind}: " + ", ".join(p for p in parts if not p.startswith("0 "))


def dispose(box: list[Router]) -> None:
    """Free a replaced router a piece at a time (call it in a worker thread, holding its only reference)."""
    router = box.pop()
    briefing = router.briefing
    pieces: list[Sequence[object]] = [getattr(briefing, kind) for kind in _KINDS]
    held: list[object] = [item for kind in pieces for item in kind]
    del router, briefing, pieces
    while held:
        held.pop()


class Reloader:
    """Serves /reload: one rebuild at a time, off the event loop, swapped in whole."""

    def __init__(
        self, current: Callable[[], Router], serve: Callable[[Router], None], briefings: Path, seeds: Path
    ) -> None:
        self._current = current
        self._serve = serve
        self._briefings = briefings
        self._seeds = seeds
        self._lock = asyncio.Lock()

    async def reload(self) -> Reply:
        if self._lock.locked():
            return Reply(
                command="reload",
                kind=ReplyKind.error,
                title="A reload is already running",
                description="Its report comes when it is done; the live briefing serves meanwhile.",
                ephemeral=True,
            )
        async with self._lock:
            live = [self._current()]
            rebuilt = await asyncio.to_thread(rebuild, self._briefings, self._seeds, live[0].briefing, live[0].surface)
            if rebuilt.router is not None:
                self._serve(rebuilt.router)
                rebuilt.router = None
                await asyncio.to_thread(dispose, live)
            return rebuilt.reply

    def reload_here(self) -> Reply:
        """The same in the calling thread (the console, which has no event loop to keep free)."""
        live = self._current()
        rebuilt = rebuild(self._briefings, self._seeds, live.briefing, live.surface)
        if rebuilt.router is not None:
            self._serve(rebuilt.router)
        return rebuilt.reply
