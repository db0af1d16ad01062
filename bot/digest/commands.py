"""The moderators' digest commands as Replies, for Discord and the console alike.

Every value a moderator types is parsed strictly before anything is stored: a bad one gets an
explanation with an example, and the subscription stays as it was.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Concatenate, ParamSpec

from bot.commands.lookup import find_topic
from bot.digest.compose import DEFAULT_SIZE, MAX_SIZE, Rotation, choose, digest_reply, eligible
from bot.digest.database import StoreUnavailable
from bot.digest.pipeline import Outcome
from bot.digest.service import DigestService
from bot.digest.slots import Schedule, ScheduleError, first_skipped_day, next_slot, schedule
from bot.digest.store import ACTIVE, FAILED, PAUSED, SENT, Delivery, Store, Subscription
from bot.moments import Moment, TimeStyle
from bot.reply import Item, Reply, ReplyKind
from bot.router import Router

P = ParamSpec("P")
# How long /digest send-now waits for its digest to be posted before answering "queued".
SEND_NOW_WAIT = 8.0


def _notice(title: str, text: str, *, kind: ReplyKind = ReplyKind.help, suggestions: tuple[str, ...] = ()) -> Reply:
    return Reply(command="digest", kind=kind, title=title, description=text, suggestions=suggestions, ephemeral=True)


def error(text: str, suggestions: tuple[str, ...] = ()) -> Reply:
    return _notice("Digest not changed", text, kind=ReplyKind.error, suggestions=suggestions)


def parse_topics(router: Router, text: str | None) -> tuple[tuple[str, ...], str | None]:
    """Topic ids from 'arms, sanctions' (ids, titles or near them), or why some matched nothing."""
    if text is None or not text.strip():
        return (), None
    names = ", ".join(t.title for t in router.briefing.topics)
    example = f"e.g. “{router.briefing.topics[0].id}”" if router.briefing.topics else ""
    parts = [p.strip() for p in text.split(",")]
    if any(not p for p in parts):
        return (), f"“{text}” has an empty item between commas: name topics separated by commas, {example}."
    found: list[str] = []
    unknown: list[str] = []
    for part in parts:
        topic = find_topic(router.briefing, part)
        if topic is None:
            unknown.append(part)
        elif topic.id not in found:
            found.append(topic.id)
    if unknown:
        return (), f"No topic matches {', '.join(f'“{u}”' for u in unknown)}. Topics: {names}."
    return tuple(found), None


def parse_size(size: int | None) -> tuple[int, str | None]:
    count = DEFAULT_SIZE if size is None else size
    if not 1 <= count <= MAX_SIZE:
        return count, f"A digest holds 1 to {MAX_SIZE} snippets; {count} is outside that. Try {DEFAULT_SIZE}."
    return count, None


def skipped_note(plan: Schedule, now: datetime) -> str:
    """What happens on the day the clocks skip the chosen time, if one comes within a year."""
    found = first_skipped_day(plan, now.astimezone(plan.zone).date())
    if found is None:
        return ""
    day, instant = found
    local = instant.astimezone(plan.zone)
    return (
        f" On {day:%A %d %B %Y} the clocks in {plan.zone.key} go forward past {plan.at:%H:%M}: that day's digest "
        f"goes out once, at {local:%H:%M}, right after the change (as cron does)."
    )


def _database_guard(
    method: Callable[Concatenate[DigestCommands, P], Coroutine[Any, Any, Reply]],
) -> Callable[Concatenate[DigestCommands, P], Coroutine[Any, Any, Reply]]:
    """A command run while the database is unavailable says so, naming it, instead of failing."""

    @functools.wraps(method)
    async def guarded(self: DigestCommands, /, *args: P.args, **kwargs: P.kwargs) -> Reply:
        try:
            return await method(self, *args, **kwargs)
        except StoreUnavailable as exc:
            return error(f"Digests are stopped: {exc}")

    return guarded


class DigestCommands:
    def __init__(self, service: DigestService, channel_name: Callable[[int], str] = lambda c: f"<#{c}>") -> None:
        self.service = service
        self.channel_name = channel_name

    @property
    def router(self) -> Router:
        return self.service.router()

    @property
    def store(self) -> Store:
        return self.service.store

    @_database_guard
    async def subscribe(
        self,
        *,
        guild_id: int,
        channel_id: int,
        at: str,
        zone: str,
        weekdays: str | None,
        topics: str | None,
        size: int | None,
        by: int | None,
        now: datetime,
    ) -> Reply:
        problems: list[str] = []
        plan: Schedule | None = None
        try:
            plan = schedule(at, zone, weekdays)
        except ScheduleError as exc:
            problems.append(str(exc))
        chosen, problem = parse_topics(self.router, topics)
        if problem:
            problems.append(problem)
        count, problem = parse_size(size)
        if problem:
            problems.append(problem)
        if problems or plan is None:
            return error("\n".join(problems), ("/topic",) if topics and chosen == () else ())
        days = ",".join(str(d) for d in sorted(plan.weekdays))
        sub = await self.store.subscribe(
            guild_id=guild_id, channel_id=channel_id, plan=plan, weekdays=days, topics=chosen, size=count,
            next_slot=next_slot(plan, now), by=by, now=now,
        )  # fmt: skip
        self.service.wake()
        return _notice(
            "Digest subscribed",
            f"{self.channel_name(channel_id)} gets {count} snippets at {plan.describe()}"
            f"{self._topic_text(sub)}. Next: {self._when(sub)}.{skipped_note(plan, now)}",
            suggestions=("/digest list", "/digest preview"),
        )

    @_database_guard
    async def list(self, guild_id: int) -> Reply:
        subs = await self.store.subscriptions(guild_id)
        if not subs:
            return _notice("No digests", "No channel here is subscribed. Start with /digest subscribe.")
        items = []
        for sub in subs:
            last, failed = await self.store.last(sub.id, SENT), await self.store.last(sub.id, FAILED)
            status = "active" if sub.status == ACTIVE else f"paused: {sub.pause_reason or 'no reason given'}"
            lines = [
                f"{sub.size} snippets at {sub.schedule.describe()}{self._topic_text(sub)}",
                f"Next: {self._when(sub) if sub.status == ACTIVE else 'none while paused'}",
                f"Status: {status}",
                f"Last: Digest #{last.digest_number}, {_moment(last.sent_at or last.slot, TimeStyle.relative)}"
                if last
                else "Last: none yet",
            ]
            if failed is not None and (last is None or failed.id > last.id):
                lines.append(f"Failed: {self._failure(failed, sub)}")
            items.append(Item(id=str(sub.channel_id), title=self.channel_name(sub.channel_id), text="\n".join(lines)))
        halted = self.service.pipeline.halted
        return Reply(
            command="digest", kind=ReplyKind.listing, title="Digests", items=tuple(items), ephemeral=True,
            description=f"Digests are stopped: {halted}" if halted else None,
        )  # fmt: skip

    @_database_guard
    async def preview(self, channel_id: int | None, topics: str | None, size: int | None) -> Reply:
        chosen, problem = parse_topics(self.router, topics)
        if problem:
            return error(problem)
        count, problem = parse_size(size) if size is not None else (DEFAULT_SIZE, None)
        if problem:
            return error(problem)
        sub = await self.store.subscription(channel_id) if channel_id is not None else None
        if sub is not None and not topics:
            chosen = sub.topics
        rotation, _ = await self.store.rotation(channel_id) if channel_id is not None else (Rotation(), 0)
        if size is None and sub is not None:
            count = sub.size
        picks = choose(eligible(self.router.briefing, chosen), rotation, count)
        reply = digest_reply(self.router, [p.snippet_id for p in picks], None, chosen)
        return reply.model_copy(update={"ephemeral": True})

    @_database_guard
    async def send_now(self, channel_id: int, wait: float = SEND_NOW_WAIT) -> Reply:
        """Claim a digest of its own (its own number and nonce), put it ahead of every queued one,
        and say what became of it within `wait` seconds."""
        sub = await self.store.subscription(channel_id)
        if sub is None:
            return error(f"{self.channel_name(channel_id)} has no digest. Subscribe it first.", ("/digest subscribe",))
        if sub.status != ACTIVE:
            return error(f"The digest is paused ({sub.pause_reason}). /digest resume it first.")
        queued = await self.service.send_now(sub)
        if queued is None:
            return error("The digest was paused or removed meanwhile.")
        delivery, done = queued
        try:
            outcome = await asyncio.wait_for(asyncio.shield(done), wait)
        except TimeoutError:
            return _notice(
                "Digest queued",
                f"Digest #{delivery.digest_number} is first in line for {self.channel_name(channel_id)} and will "
                "appear shortly.",
            )
        if outcome is Outcome.SENT:
            return _notice(
                "Digest sent", f"Digest #{delivery.digest_number} posted in {self.channel_name(channel_id)}."
            )
        after = await self.store.subscription(channel_id)
        if after is not None and after.status == PAUSED:
            why = after.pause_reason
        elif outcome is Outcome.STOPPED:
            why = "the bot is stopping; it will be posted when it starts again"
        else:
            last = await self.store.delivery(delivery.id)
            why = last.error if last and last.error else "Discord did not accept it"
        return error(f"Digest #{delivery.digest_number} was not posted: {why}.")

    @_database_guard
    async def pause(self, channel_id: int) -> Reply:
        sub = await self.store.subscription(channel_id)
        if sub is None:
            return error(f"{self.channel_name(channel_id)} has no digest.")
        await self.store.set_status(sub.id, PAUSED, "paused by a moderator")
        return _notice(
            "Digest paused", f"{self.channel_name(channel_id)} keeps its settings; /digest resume restarts it."
        )

    @_database_guard
    async def resume(self, channel_id: int, now: datetime) -> Reply:
        sub = await self.store.subscription(channel_id)
        if sub is None:
            return error(f"{self.channel_name(channel_id)} has no digest.")
        following = next_slot(sub.schedule, now)
        await self.store.set_status(sub.id, ACTIVE, None, next_slot=following)
        self.service.wake()
        resumed = await self.store.subscription(channel_id)
        return _notice("Digest resumed", f"Next: {self._when(resumed or sub)}.")

    @_database_guard
    async def remove(self, channel_id: int) -> Reply:
        sub = await self.store.subscription(channel_id)
        if sub is None:
            return error(f"{self.channel_name(channel_id)} has no digest.")
        await self.store.remove(sub.id)
        self.service.wake()
        return _notice("Digest removed", f"{self.channel_name(channel_id)} gets no more digests.")

    def _topic_text(self, sub: Subscription) -> str:
        if not sub.topics:
            return ""
        titles = [t.title for t in self.router.briefing.topics if t.id in sub.topics]
        return f", topics: {', '.join(titles)}"

    def _when(self, sub: Subscription) -> str:
        return _moment(sub.next_slot)

    def _failure(self, failed: Delivery, sub: Subscription) -> str:
        when = _moment(failed.failed_at or failed.slot, TimeStyle.relative)
        return f"Digest #{failed.digest_number}, {when}: {failed.error or 'no reason recorded'}"


def _moment(at: datetime, style: TimeStyle = TimeStyle.full) -> str:
    """A time in a reply, written for each reader: a Discord timestamp in their own zone on Discord,
    the local zone in the console (bot/moments.py). The schedule itself names its zone."""
    return Moment(at=at, style=style).token()
