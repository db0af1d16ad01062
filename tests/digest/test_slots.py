"""Slot arithmetic across time zones, weekdays and the days clocks change."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digest.slots import EVERY_DAY, Schedule, ScheduleError, next_slot, parse_weekdays, schedule, slots_between

TODAY = date(2026, 1, 1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_slot_is_the_next_local_time() -> None:
    plan = schedule("08:00", "Europe/Berlin", today=TODAY)
    assert next_slot(plan, utc(2026, 1, 10, 6, 0)) == utc(2026, 1, 10, 7, 0)  # CET = UTC+1
    assert next_slot(plan, utc(2026, 1, 10, 7, 0)) == utc(2026, 1, 11, 7, 0)  # strictly after


def test_berlin_spring_forward_keeps_local_time() -> None:
    plan = schedule("08:00", "Europe/Berlin", today=TODAY)
    # Clocks go forward on Sunday 29 March 2026: 08:00 is 07:00 UTC before, 06:00 UTC after.
    assert next_slot(plan, utc(2026, 3, 28, 8, 0)) == utc(2026, 3, 29, 6, 0)
    assert next_slot(plan, utc(2026, 3, 29, 6, 0)) == utc(2026, 3, 30, 6, 0)


def test_berlin_fall_back_keeps_local_time() -> None:
    plan = schedule("08:00", "Europe/Berlin", today=TODAY)
    # Clocks go back on Sunday 25 October 2026.
    assert next_slot(plan, utc(2026, 10, 24, 7, 0)) == utc(2026, 10, 25, 7, 0)


def test_a_time_that_happens_twice_is_sent_once_at_its_first_occurrence() -> None:
    # Built directly: subscribing refuses 02:30 in Berlin, since it is also missing each March.
    plan = Schedule(time(2, 30), ZoneInfo("Europe/Berlin"), EVERY_DAY)
    # 02:30 happens twice on 25 October 2026: first at 00:30 UTC (CEST), then at 01:30 UTC (CET).
    slots = slots_between(plan, utc(2026, 10, 24, 0, 30), utc(2026, 10, 26, 3, 0))
    assert slots == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_a_time_missing_on_the_spring_forward_day_is_refused() -> None:
    with pytest.raises(ScheduleError, match="does not exist in Europe/Berlin on Sunday 29 March 2026"):
        schedule("02:30", "Europe/Berlin", today=TODAY)
    with pytest.raises(ScheduleError, match="America/New_York on Sunday 08 March 2026"):
        schedule("02:15", "America/New_York", today=TODAY)


def test_a_missing_time_is_fine_when_it_never_falls_on_a_chosen_weekday() -> None:
    plan = schedule("02:30", "Europe/Berlin", "mon-fri", today=TODAY)  # changes happen on Sundays
    assert next_slot(plan, utc(2026, 3, 27, 12, 0)) == utc(2026, 3, 30, 0, 30)


def test_new_york_changes_on_its_own_dates() -> None:
    plan = schedule("08:00", "America/New_York", today=TODAY)
    assert next_slot(plan, utc(2026, 3, 7, 14, 0)) == utc(2026, 3, 8, 12, 0)  # EDT from 8 March
    assert next_slot(plan, utc(2026, 10, 31, 13, 0)) == utc(2026, 11, 1, 13, 0)  # EST from 1 November


def test_weekdays_skip_the_weekend() -> None:
    plan = schedule("08:00", "Asia/Tokyo", "weekdays", today=TODAY)
    friday = utc(2026, 1, 9, 0, 0)  # 09:00 Friday in Tokyo
    assert next_slot(plan, friday) == utc(2026, 1, 11, 23, 0)  # Monday 08:00 JST


def test_zones_east_of_utc_roll_the_date() -> None:
    plan = schedule("07:00", "Pacific/Auckland", today=TODAY)
    assert next_slot(plan, utc(2026, 1, 10, 12, 0)) == utc(2026, 1, 10, 18, 0)  # NZDT = UTC+13


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("daily", set(range(7))),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("fri-mon", {4, 5, 6, 0}),
        ("mon,wed,fri", {0, 2, 4}),
        ("Tuesday", {1}),
        ("", set(range(7))),
    ],
)
def test_weekday_phrases(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(days)


@pytest.mark.parametrize(
    ("at", "zone", "days", "says"),
    [
        ("25:00", "Europe/Berlin", None, "is not a time"),
        ("8am", "Europe/Berlin", None, "is not a time"),
        ("08:00", "Mars/Olympus_Mons", None, "is not a time zone"),
        ("08:00", "CEST", None, "is not a time zone"),
        ("08:00", "Europe/Berlin", "someday", "is not a set of weekdays"),
    ],
)
def test_bad_schedules_are_refused_clearly(at: str, zone: str, days: str | None, says: str) -> None:
    with pytest.raises(ScheduleError, match=says):
        schedule(at, zone, days, today=TODAY)


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC", "America/Santiago"]


@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(4, 23),
    minute=st.integers(0, 59),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
)
def test_one_slot_per_local_date_at_the_local_time(zone: str, hour: int, minute: int, start: datetime) -> None:
    plan = schedule(f"{hour:02d}:{minute:02d}", zone, today=start.date())
    slots = slots_between(plan, next_slot(plan, start), start.replace(year=start.year + 1))
    dates = [s.astimezone(plan.zone).date() for s in slots]
    assert len(dates) == len(set(dates))
    assert all((s.astimezone(plan.zone).hour, s.astimezone(plan.zone).minute) == (hour, minute) for s in slots)
    assert all(b > a for a, b in itertools.pairwise(slots))
