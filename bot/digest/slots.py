"""When digests are due: pure functions of a schedule and `now`, so tests need no clock; and the
strict parsing of what a moderator types.

A schedule is a local time of day, an IANA time zone and a set of weekdays. The rule on days when
clocks change: one digest per subscription per local date. A time that happens twice (clocks go
back) is taken at its first occurrence. A time that does not exist that day (clocks go forward)
follows cron: the digest goes out once, at the first minute after the change.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVERY_DAY = frozenset(range(7))
NAMED_DAYS = {
    "daily": EVERY_DAY,
    "every day": EVERY_DAY,
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
WEEKDAY_HELP = "Use daily, weekdays, weekends, a range such as mon-fri, or a list such as mon,wed,fri."


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
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ScheduleError(f"“{text}” is not a time: use HH:MM on a 24-hour clock, e.g. 08:00 or 17:30.")
    return time(int(match.group(1)), int(match.group(2)))


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone name, in any letter case ("europe/berlin" is Europe/Berlin)."""
    key = name.strip()
    if key not in _ZONES:
        key = _FOLDED_ZONES.get(key.lower().replace(" ", "_"), key)
    if key not in _ZONES:
        near = difflib.get_close_matches(key, sorted(_ZONES), n=2, cutoff=0.75)
        hint = f" Did you mean {' or '.join(near)}?" if near else ""
        raise ScheduleError(
            f"“{name}” is not a time zone: use an IANA name such as Europe/Berlin or America/New_York.{hint}"
        )
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed names load
        raise ScheduleError(f"“{name}” is not a time zone.") from exc


def zone_names() -> frozenset[str]:
    return _ZONES


_ZONES = frozenset(available_timezones())
_FOLDED_ZONES = {zone.lower(): zone for zone in _ZONES}


def parse_weekdays(text: str | None) -> frozenset[int]:
    """'daily', 'weekdays', 'weekends', 'mon-fri', 'mon,wed,fri', 'tue' or 'Tuesday'; nothing else.

    Every item must be a day (its full name or the first three or more letters of it) or a range of
    two days; an empty item (",", "mon,,tue") or a word that is not a day ("monkey") is refused."""
    if text is None or not text.strip():
        return EVERY_DAY
    value = text.strip().lower()
    if value in NAMED_DAYS:
        return NAMED_DAYS[value]
    days: set[int] = set()
    wrong: list[str] = []
    original = re.split(r"\s*,\s*|\s+", text.strip())
    for part, shown in zip(re.split(r"\s*,\s*|\s+", value), original, strict=True):
        if not part:
            raise ScheduleError(f"“{text}” has an empty item between commas. {WEEKDAY_HELP}")
        ends = part.split("-")
        indices = [_day(end) for end in ends]
        if len(ends) > 2 or any(i is None for i in indices):
            wrong.append(shown)
            continue
        if len(indices) == 1:
            days.add(indices[0])  # type: ignore[arg-type]
        else:
            start, end = indices[0], indices[1]
            assert start is not None and end is not None
            days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    if wrong:
        names = " and ".join(f"“{w}”" for w in wrong)
        verb = "is not a day" if len(wrong) == 1 else "are not days"
        raise ScheduleError(f"“{text}” is not a set of weekdays: {names} {verb}. {WEEKDAY_HELP}")
    return frozenset(days)


def _day(word: str) -> int | None:
    """Monday = 0, from "monday" or a prefix of at least three letters ("mon", "tues", "thurs")."""
    if len(word) < 3:
        return None
    for index, name in enumerate(DAY_NAMES):
        if name.startswith(word):
            return index
    return None


def describe_weekdays(days: frozenset[int]) -> str:
    if days == EVERY_DAY:
        return "every day"
    if days == frozenset(range(5)):
        return "Monday to Friday"
    if days == frozenset({5, 6}):
        return "weekends"
    return ", ".join(WEEKDAY_NAMES[d].capitalize() for d in sorted(days))


def schedule(at: str, zone: str, weekdays: str | None = None) -> Schedule:
    """A validated schedule, or ScheduleError saying what is wrong."""
    return Schedule(parse_time(at), parse_zone(zone), parse_weekdays(weekdays))


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in `zone` as a UTC instant: the first one if it happens twice, and the first
    minute after the change if the clocks skip it that day (cron's rule)."""
    wanted = datetime.combine(day, at)
    before = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)  # fold=0: the offset before a change
    if before.astimezone(zone).replace(tzinfo=None) == wanted:
        return before
    # Skipped: the change lies between the two readings of the missing time; find its minute.
    after = datetime.combine(day, at, tzinfo=zone).replace(fold=1).astimezone(UTC)
    low, high = min(before, after), max(before, after)  # local time is before `at` at low, after it at high
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            middle = low + timedelta(minutes=1)
        if middle.astimezone(zone).replace(tzinfo=None) > wanted:
            high = middle
        else:
            low = middle
    return high


def skipped(day: date, at: time, zone: ZoneInfo) -> bool:
    """Whether the clocks skip `at` on `day` (it does not exist there)."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != datetime.combine(day, at)


def first_skipped_day(plan: Schedule, start: date, days: int = 400) -> tuple[date, datetime] | None:
    """The first chosen day within about a year when the time does not exist, and the instant the
    digest goes out instead (the first minute after the change)."""
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.weekday() in plan.weekdays and skipped(day, plan.at, plan.zone):
            return day, local_instant(day, plan.at, plan.zone)
    return None


def next_slot(plan: Schedule, after: datetime) -> datetime:
    """The first slot strictly after `after` (an aware datetime), in UTC."""
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    day = after.astimezone(plan.zone).date() - timedelta(days=1)
    for _ in range(16):
        if day.weekday() in plan.weekdays:
            instant = local_instant(day, plan.at, plan.zone)
            if instant > after:
                return instant
        day += timedelta(days=1)
    raise ScheduleError(f"{plan.describe()} has no slot in the next two weeks")  # no weekday chosen


def slots_between(plan: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every slot in [start, end]: what a bot that was down missed."""
    found = []
    slot = start
    while slot <= end:
        found.append(slot)
        slot = next_slot(plan, slot)
    return found
