"""Moments shown to readers: carried as data in a Reply, written by each renderer in the reader's zone.

A moment is a point in time (an aware datetime) and a style. It travels in a Reply in two ways:
`Item.when` (the moment an item is about: a timeline event, a delivery), or inside a text as the
token `Moment.token()` ("Next: ⟦t:1694580000:F⟧"), for moments in the middle of a sentence.
Renderers write it for their reader: on Discord as a timestamp, `<t:1694580000:F>`, which each
reader's own client shows in their own zone; in the console and the CLI as text in the local zone.
Discord renders timestamps only in descriptions, field values and message content; elsewhere (titles,
field names, footers) the Discord renderer writes plain text in UTC.

Only moments the data really fixes become moments: a time the articles give as "Tuesday" stays text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict


class TimeStyle(StrEnum):
    """How a moment is written: Discord's timestamp styles, which the text renderers imitate."""

    short_time = "t"  # 16:20
    long_time = "T"  # 16:20:30
    short_date = "d"  # 2023-09-13
    long_date = "D"  # 13 September 2023
    date_time = "f"  # 13 September 2023 16:20
    full = "F"  # Wednesday, 13 September 2023 16:20
    relative = "R"  # in 2 hours, 3 days ago


class Moment(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    style: TimeStyle = TimeStyle.full

    @property
    def unix(self) -> int:
        return int(self.at.timestamp())

    def token(self) -> str:
        """The moment inside a text; every renderer replaces it (see `write`)."""
        return f"⟦t:{self.unix}:{self.style.value}⟧"


TOKEN = re.compile(r"⟦t:(-?\d{1,12}):([tTdDfFR])⟧")
Writer = Callable[[Moment], str]


def write(text: str, writer: Writer) -> str:
    """`text` with every moment token written by `writer`."""
    if "⟦" not in text:
        return text
    return TOKEN.sub(lambda m: writer(Moment(at=datetime.fromtimestamp(int(m[1]), UTC), style=TimeStyle(m[2]))), text)


def discord_timestamp(moment: Moment) -> str:
    """Discord's own markup: each reader's client shows it in their zone and language."""
    return f"<t:{moment.unix}:{moment.style.value}>"


def local_zone() -> tzinfo:
    """The zone of the machine the console runs on (TZ, else the system's)."""
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def in_zone(zone: tzinfo | None = None, now: Callable[[], datetime] | None = None) -> Writer:
    """A writer of plain text in `zone` (default: the local zone), as Discord would show it there."""

    def writer(moment: Moment) -> str:
        return as_text(moment, zone or local_zone(), (now or (lambda: datetime.now(UTC)))())

    return writer


def as_text(moment: Moment, zone: tzinfo, now: datetime) -> str:
    at = moment.at.astimezone(zone)
    style = moment.style
    if style is TimeStyle.relative:
        return relative(moment.at, now)
    date = f"{at.day} {at:%B %Y}"
    parts = {
        TimeStyle.short_time: f"{at:%H:%M}",
        TimeStyle.long_time: f"{at:%H:%M:%S}",
        TimeStyle.short_date: f"{at:%Y-%m-%d}",
        TimeStyle.long_date: date,
        TimeStyle.date_time: f"{date} {at:%H:%M}",
        TimeStyle.full: f"{at:%A}, {date} {at:%H:%M}",
    }
    text = parts[style]
    # A time of day means nothing without its zone; a date alone is read as the reader's.
    if style not in (TimeStyle.short_date, TimeStyle.long_date):
        text += f" {at.tzname() or ''}".rstrip()
    return text


_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))


def relative(at: datetime, now: datetime) -> str:
    """ "in 3 hours", "5 minutes ago", "now": the words Discord's relative style shows."""
    seconds = (at - now).total_seconds()
    size = abs(seconds)
    for unit, length in _UNITS:
        if size >= length:
            count = int(size // length)
            words = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {words}" if seconds > 0 else f"{words} ago"
    if size < 1:
        return "now"
    count = int(size)
    words = f"{count} second{'s' if count != 1 else ''}"
    return f"in {words}" if seconds > 0 else f"{words} ago"


def utc_text(moment: Moment) -> str:
    """Plain text in UTC: for the places where Discord does not render timestamps."""
    return as_text(moment, UTC, datetime.now(UTC))
