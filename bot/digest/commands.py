"""The moderators' digest commands as Replies, for Discord and the console alike."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from bot.commands.lookup import find_topic
from bot.digest.compose import DEFAULT_SIZE, MAX_SIZE, Rotation, choose, digest_reply, eligible
from bot.digest.service import DigestService
from bot.digest.slots import ScheduleError, next_slot, parse_weekdays, schedule
from bot.digest.store import ACTIVE, PAUSED, Subscription
from bot.reply import Item, Reply, ReplyKind
from bot.router import Router


def _notice(title: str, text: str, *, kind: ReplyKind = ReplyKind.help, suggestions: tuple[str, ...] = ()) -> Reply:
    return Reply(command="digest", kind=kind, title=title, description=text, suggestions=suggestions, ephemeral=True)


def error(text: str, suggestions: tuple[str, ...] = ()) -> Reply:
    return _notice("Digest not changed", text, kind=ReplyKind.error, suggestions=suggestions)


def parse_topics(router: Router, text: str | None) -> tuple[tuple[str, ...], str | None]:
    """Topic ids from 'arms, sanctions' (ids, titles or near them), or why some matched nothing."""
    if not text or not text.strip():
        return (), None
    found: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        topic = find_topic(router.briefing, part) if part else None
        if topic is None and part:
            unknown.append(part)
        elif topic is not None and topic.id not in found:
            found.append(topic.id)
    if unknown:
        names = ", ".join(t.title for t in router.briefing.topics)
        return (), f"No topic matches {', '.join(f'“{u}”' for u in unknown)}. Topics: {names}."
    return tuple(found), None


class DigestCommands:
    def __init__(self, service: DigestService, channel_name: Callable[[int], str] = lambda c: f"<#{c}>") -> None:
        self.service = service
        self.channel_name = channel_name

    @property
    def router(self) -> Router:
        return self.service.router()

    def topics(self, text: str | None) -> tuple[tuple[str, ...], str | None]:
        return parse_topics(self.router, text)

    def subscribe(
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
        try:
            plan = schedule(at, zone, weekdays, today=now.date())
        except ScheduleError as exc:
            return error(str(exc))
        chosen, problem = self.topics(topics)
        if problem:
            return error(problem, ("/topic",))
        count = size or DEFAULT_SIZE
        if not 1 <= count <= MAX_SIZE:
            return error(f"A digest holds 1 to {MAX_SIZE} snippets; {count} is outside that.")
        days = ",".join(str(d) for d in sorted(parse_weekdays(weekdays)))
        sub = self.service.store.subscribe(
            guild_id=guild_id, channel_id=channel_id, plan=plan, weekdays=days, topics=chosen, size=count,
            next_slot=next_slot(plan, now), by=by, now=now,
        )  # fmt: skip
        return _notice(
            "Digest subscribed",
            f"{self.channel_name(channel_id)} gets {count} snippets at {plan.describe()}"
            f"{self._topic_text(sub)}. Next: {self._when(sub)}.",
            suggestions=("/digest list", "/digest preview"),
        )

    def list(self, guild_id: int) -> Reply:
        subs = self.service.store.subscriptions(guild_id)
        if not subs:
            return _notice("No digests", "No channel here is subscribed. Start with /digest subscribe.")
        items = []
        for sub in subs:
            last = self.service.store.last_sent(sub.id)
            status = "active" if sub.status == ACTIVE else f"paused: {sub.pause_reason or 'no reason given'}"
            lines = [
                f"{sub.size} snippets at {sub.schedule.describe()}{self._topic_text(sub)}",
                f"Next: {self._when(sub) if sub.status == ACTIVE else 'none while paused'}",
                f"Status: {status}",
                f"Last: Digest #{last.digest_number}, {self._local(last.slot, sub)}" if last else "Last: none yet",
            ]
            items.append(Item(id=str(sub.channel_id), title=self.channel_name(sub.channel_id), text="\n".join(lines)))
        return Reply(command="digest", kind=ReplyKind.listing, title="Digests", items=tuple(items), ephemeral=True)

    def preview(self, channel_id: int | None, topics: str | None, size: int | None) -> Reply:
        chosen, problem = self.topics(topics)
        if problem:
            return error(problem)
        sub = self.service.store.subscription(channel_id) if channel_id is not None else None
        if sub is not None and not topics:
            chosen = sub.topics
        rotation, _ = self.service.store.rotation(channel_id) if channel_id is not None else (Rotation(), 0)
        count = size or (sub.size if sub else DEFAULT_SIZE)
        picks = choose(eligible(self.router.briefing, chosen), rotation, min(max(count, 1), MAX_SIZE))
        reply = digest_reply(self.router, [p.snippet_id for p in picks], None, chosen)
        return reply.model_copy(update={"ephemeral": True})

    async def send_now(self, channel_id: int) -> Reply:
        sub = self.service.store.subscription(channel_id)
        if sub is None:
            return error(f"{self.channel_name(channel_id)} has no digest. Subscribe it first.", ("/digest subscribe",))
        if sub.status != ACTIVE:
            return error(f"The digest is paused ({sub.pause_reason}). /digest resume it first.")
        delivery, sent = await self.service.send_now(sub)
        if sent:
            return _notice(
                "Digest sent", f"Digest #{delivery.digest_number} posted in {self.channel_name(channel_id)}."
            )
        after = self.service.store.subscription(channel_id)
        why = after.pause_reason if after and after.status == PAUSED else "Discord did not accept it; it will retry"
        return error(f"Digest #{delivery.digest_number} was not posted: {why}.")

    def pause(self, channel_id: int) -> Reply:
        sub = self.service.store.subscription(channel_id)
        if sub is None:
            return error(f"{self.channel_name(channel_id)} has no digest.")
        self.service.store.set_status(sub.id, PAUSED, "paused by a moderator")
        return _notice(
            "Digest paused", f"{self.channel_name(channel_id)} keeps its settings; /digest resume restarts it."
        )

    def resume(self, channel_id: int, now: datetime) -> Reply:
        sub = self.service.store.subscription(channel_id)
        if sub is None:
            return error(f"{self.channel_name(channel_id)} has no digest.")
        following = next_slot(sub.schedule, now)
        self.service.store.set_status(sub.id, ACTIVE, None, next_slot=following)
        resumed = self.service.store.subscription(channel_id)
        return _notice("Digest resumed", f"Next: {self._when(resumed or sub)}.")

    def remove(self, channel_id: int) -> Reply:
        sub = self.service.store.subscription(channel_id)
        if sub is None:
            return error(f"{self.channel_name(channel_id)} has no digest.")
        self.service.store.remove(sub.id)
        return _notice("Digest removed", f"{self.channel_name(channel_id)} gets no more digests.")

    def _topic_text(self, sub: Subscription) -> str:
        if not sub.topics:
            return ""
        titles = [t.title for t in self.router.briefing.topics if t.id in sub.topics]
        return f", topics: {', '.join(titles)}"

    def _when(self, sub: Subscription) -> str:
        return self._local(sub.next_slot, sub)

    @staticmethod
    def _local(moment: datetime, sub: Subscription) -> str:
        local = moment.astimezone(sub.schedule.zone)
        return f"{local:%a %d %b %H:%M} {local.tzname()} ({sub.schedule.zone.key})"


async def run_in_thread(call: Callable[[], Reply]) -> Reply:
    """Database work off the event loop."""
    return await asyncio.to_thread(call)
