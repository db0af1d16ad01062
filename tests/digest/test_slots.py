"""Slot arithmetic across time zones, weekdays and the days clocks change."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digest.slots import (
    ScheduleError,
    first_skipped_day,
    next_slot,
    parse_time,
    parse_weekdays,
    parse_zone,
    schedule,
    skipped,
    slots_between,
)

TODAY = date(2026, 1, 1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_daily_slot_is_the_next_local_time() -> None:
    plan = schedule("08:00", "Europe/Berlin")
    assert next_slot(plan, utc(2026, 1, 10, 6, 0)) == utc(2026, 1, 10, 7, 0)  # CET = UTC+1
    assert next_slot(plan, utc(2026, 1, 10, 7, 0)) == utc(2026, 1, 11, 7, 0)  # strictly after


def test_berlin_spring_forward_keeps_local_time() -> None:
    plan = schedule("08:00", "Europe/Berlin")
    # Clocks go forward on Sunday 29 March 2026: 08:00 is 07:00 UTC before, 06:00 UTC after.
    assert next_slot(plan, utc(2026, 3, 28, 8, 0)) == utc(2026, 3, 29, 6, 0)
    assert next_slot(plan, utc(2026, 3, 29, 6, 0)) == utc(2026, 3, 30, 6, 0)


def test_berlin_fall_back_keeps_local_time() -> None:
    plan = schedule("08:00", "Europe/Berlin")
    # Clocks go back on Sunday 25 October 2026.
    assert next_slot(plan, utc(2026, 10, 24, 7, 0)) == utc(2026, 10, 25, 7, 0)


def test_a_time_that_happens_twice_is_sent_once_at_its_first_occurrence() -> None:
    plan = schedule("02:30", "Europe/Berlin")
    # 02:30 happens twice on 25 October 2026: first at 00:30 UTC (CEST), then at 01:30 UTC (CET).
    slots = slots_between(plan, utc(2026, 10, 24, 0, 30), utc(2026, 10, 26, 3, 0))
    assert slots == [utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


@pytest.mark.parametrize(
    ("zone", "day_before", "change_day", "day_after"),
    [
        # Clocks go from 02:00 to 03:00: that day the digest goes at 03:00 local, once (cron's rule).
        ("Europe/Berlin", utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)),
        ("America/New_York", utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)),
        ("Australia/Sydney", utc(2026, 10, 2, 16, 30), utc(2026, 10, 3, 16, 0), utc(2026, 10, 4, 15, 30)),
    ],
)
def test_a_time_skipped_on_the_spring_forward_day_goes_out_once_right_after_the_change(
    zone: str, day_before: datetime, change_day: datetime, day_after: datetime
) -> None:
    plan = schedule("02:30", zone)
    assert slots_between(plan, day_before, day_after) == [day_before, change_day, day_after]
    local = change_day.astimezone(plan.zone)
    assert (local.hour, local.minute) == (3, 0)
    assert first_skipped_day(plan, date(2026, 1, 1)) == (local.date(), change_day)


def test_a_half_hour_change_moves_a_skipped_time_to_its_end() -> None:
    plan = schedule("02:15", "Australia/Lord_Howe")  # 02:00 → 02:30 on 4 October 2026
    (day, instant) = first_skipped_day(plan, date(2026, 1, 1)) or (None, None)
    assert day == date(2026, 10, 4) and instant is not None
    assert f"{instant.astimezone(plan.zone):%H:%M}" == "02:30"


def test_a_missing_time_is_fine_when_it_never_falls_on_a_chosen_weekday() -> None:
    plan = schedule("02:30", "Europe/Berlin", "mon-fri")  # changes happen on Sundays
    assert next_slot(plan, utc(2026, 3, 27, 12, 0)) == utc(2026, 3, 30, 0, 30)


def test_new_york_changes_on_its_own_dates() -> None:
    plan = schedule("08:00", "America/New_York")
    assert next_slot(plan, utc(2026, 3, 7, 14, 0)) == utc(2026, 3, 8, 12, 0)  # EDT from 8 March
    assert next_slot(plan, utc(2026, 10, 31, 13, 0)) == utc(2026, 11, 1, 13, 0)  # EST from 1 November


def test_weekdays_skip_the_weekend() -> None:
    plan = schedule("08:00", "Asia/Tokyo", "weekdays")
    friday = utc(2026, 1, 9, 0, 0)  # 09:00 Friday in Tokyo
    assert next_slot(plan, friday) == utc(2026, 1, 11, 23, 0)  # Monday 08:00 JST


def test_zones_east_of_utc_roll_the_date() -> None:
    plan = schedule("07:00", "Pacific/Auckland")
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
        ("tues, THURS", {1, 3}),
        ("Mon Wed", {0, 2}),
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
        ("08:00", "Europe/Berlin", ",", "has an empty item between commas"),
        ("08:00", "Europe/Berlin", "mon,,tue", "has an empty item between commas"),
        ("08:00", "Europe/Berlin", "monkey,tuesdayX", "“monkey” and “tuesdayX” are not days"),
        ("08:00", "Europe/Berlin", "tu", "“tu” is not a day"),
        ("08:00", "Europe/Berlin", "mon-wed-fri", "“mon-wed-fri” is not a day"),
        ("08:60", "Europe/Berlin", None, "is not a time"),
        ("", "Europe/Berlin", None, "is not a time"),
    ],
)
def test_bad_schedules_are_refused_clearly(at: str, zone: str, days: str | None, says: str) -> None:
    with pytest.raises(ScheduleError, match=says) as refused:
        schedule(at, zone, days)
    assert "e.g." in str(refused.value) or "such as" in str(refused.value)  # every refusal shows an example


def test_time_zones_are_matched_in_any_case_and_near_misses_suggested() -> None:
    assert parse_zone("europe/berlin").key == "Europe/Berlin"
    with pytest.raises(ScheduleError, match="Did you mean Europe/Berlin"):
        parse_zone("Europe/Berln")
    assert f"{parse_time('8:05'):%H:%M}" == "08:05"


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC", "America/Santiago"]


@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
)
def test_one_slot_per_local_date_at_the_local_time(zone: str, hour: int, minute: int, start: datetime) -> None:
    plan = schedule(f"{hour:02d}:{minute:02d}", zone)
    slots = slots_between(plan, next_slot(plan, start), start + timedelta(days=365))
    dates = [s.astimezone(plan.zone).date() for s in slots]
    assert len(dates) == len(set(dates))
    for slot in slots:
        local = slot.astimezone(plan.zone)
        if skipped(local.date(), plan.at, plan.zone):  # the first minute after the clocks went forward
            wanted = datetime.combine(local.date(), plan.at)
            before = (slot - timedelta(minutes=1)).astimezone(plan.zone).replace(tzinfo=None)
            assert before < wanted < local.replace(tzinfo=None)
        else:
            assert (local.hour, local.minute) == (hour, minute)
    assert all(b > a for a, b in itertools.pairwise(slots))
