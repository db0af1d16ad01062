"""When digests are due: pure functions of a schedule and `now`, so tests need no clock.

A schedule is a local time of day, an IANA time zone and a set of weekdays. The rule on days when
clocks change: one digest per subscription per local date. A time that happens twice (clocks go
back) is taken at its first occurrence; a time that does not exist on some day (clocks go forward)
is refused when subscribing, so it never has to be guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = frozenset(range(7))
_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


class ScheduleError(ValueError):
    """A schedule a moderator gave that cannot work; the message says why and what to do."""


@dataclass(frozen=True)
class Schedule:
    at: time
    zone: ZoneInfo
    weekdays: frozenset[int]

    def describe(self) -> str:
        return f"{self.at:%H:%M} {self.zone.key}, {describe_weekdays(self.weekdays)}"


def parse_time(text: str) -> time:
    match = _TIME.match(text)
    if not match:
        raise ScheduleError(f"“{text}” is not a time: use HH:MM on a 24-hour clock, e.g. 08:00 or 17:30.")
    return time(int(match.group(1)), int(match.group(2)))


def parse_zone(name: str) -> ZoneInfo:
    key = name.strip()
    if key not in zone_names():
        raise ScheduleError(f"“{name}” is not a time zone: use an IANA name such as Europe/Berlin or America/New_York.")
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed names load
        raise ScheduleError(f"“{name}” is not a time zone.") from exc


def zone_names() -> frozenset[str]:
    return _ZONES


_ZONES = frozenset(available_timezones())


def parse_weekdays(text: str | None) -> frozenset[int]:
    """'daily', 'weekdays', 'weekends', 'mon-fri', 'mon,wed,fri' or 'tue'."""
    if not text or not text.strip():
        return EVERY_DAY
    value = text.strip().lower()
    named = {"daily": EVERY_DAY, "every day": EVERY_DAY, "weekdays": frozenset(range(5)), "weekends": frozenset({5, 6})}
    if value in named:
        return named[value]
    days: set[int] = set()
    for part in re.split(r"[,\s]+", value):
        if not part:
            continue
        ends = part.split("-")
        try:
            indices = [WEEKDAY_NAMES.index(end[:3]) for end in ends]
        except ValueError:
            raise ScheduleError(
                f"“{text}” is not a set of weekdays: use daily, weekdays, weekends, mon-fri or mon,wed,fri."
            ) from None
        if len(indices) == 1:
            days.add(indices[0])
        elif len(indices) == 2:
            start, end = indices
            days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
        else:
            raise ScheduleError(f"“{part}” is not a weekday range: use e.g. mon-fri.")
    return frozenset(days)


def describe_weekdays(days: frozenset[int]) -> str:
    if days == EVERY_DAY:
        return "every day"
    if days == frozenset(range(5)):
        return "Monday to Friday"
    if days == frozenset({5, 6}):
        return "weekends"
    return ", ".join(WEEKDAY_NAMES[d].capitalize() for d in sorted(days))


def schedule(at: str, zone: str, weekdays: str | None = None, *, today: date | None = None) -> Schedule:
    """A validated schedule, or ScheduleError saying what is wrong."""
    parsed = Schedule(parse_time(at), parse_zone(zone), parse_weekdays(weekdays))
    missing = first_missing_day(parsed, today or datetime.now(UTC).date())
    if missing is not None:
        raise ScheduleError(
            f"{parsed.at:%H:%M} does not exist in {parsed.zone.key} on {missing:%A %d %B %Y}, when the clocks go "
            "forward. Choose a time outside the change (for example an hour later)."
        )
    return parsed


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """`at` on `day` in `zone` as a UTC instant: the first one if it happens twice, None if never."""
    local = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first of two
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != datetime.combine(day, at):
        return None
    return instant


def first_missing_day(plan: Schedule, start: date, days: int = 800) -> date | None:
    """The first day in the next two years or so when the time does not exist, if any."""
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.weekday() in plan.weekdays and local_instant(day, plan.at, plan.zone) is None:
            return day
    return None


def next_slot(plan: Schedule, after: datetime) -> datetime:
    """The first slot strictly after `after` (an aware datetime), in UTC."""
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    day = after.astimezone(plan.zone).date() - timedelta(days=1)
    for _ in range(16):
        if day.weekday() in plan.weekdays:
            instant = local_instant(day, plan.at, plan.zone)
            if instant is not None and instant > after:
                return instant
        day += timedelta(days=1)
    # Only a time missing on every eligible day gets here; subscribing refuses those.
    raise ScheduleError(f"{plan.describe()} has no slot in the next two weeks")


def slots_between(plan: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every slot in [start, end]: what a bot that was down missed."""
    found = []
    slot = start
    while slot <= end:
        found.append(slot)
        slot = next_slot(plan, slot)
    return found
