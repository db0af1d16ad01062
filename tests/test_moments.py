"""Moments in replies: Discord timestamps on Discord, the reader's own zone in the console."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import moments
from bot.adapters.discord.render import for_discord, pages
from bot.adapters.text import render_text
from bot.briefing.models import Briefing
from bot.commands.registry import Surface
from bot.limits import clip
from bot.moments import Moment, TimeStyle
from bot.reply import Item, Reply, ReplyKind
from bot.router import Router

SUMMIT = datetime(2023, 9, 13, 3, 0, tzinfo=UTC)  # 13:00 in Vladivostok
UNIX = int(SUMMIT.timestamp())


def digest_like() -> Reply:
    """A reply with moments in a sentence, as /digest list will write them ("Next: …")."""
    next_slot = Moment(at=SUMMIT, style=TimeStyle.full)
    last = Moment(at=datetime.now(UTC) - timedelta(days=1, minutes=1), style=TimeStyle.relative)
    return Reply(
        command="digest",
        kind=ReplyKind.listing,
        title=f"Digests from {Moment(at=SUMMIT, style=TimeStyle.long_date).token()}",
        description=f"Next: {next_slot.token()}",
        items=(Item(id="c", title="#general", text=f"08:00 Europe/Berlin\nLast digest: {last.token()}"),),
        footer=f"As of {next_slot.token()}",
    )


def test_discord_shows_each_reader_the_moment_in_their_own_zone() -> None:
    reply = for_discord(digest_like())
    assert reply.description == f"Next: <t:{UNIX}:F>"
    assert re.search(r"Last digest: <t:\d+:R>$", reply.items[0].text)
    # Discord renders timestamps in descriptions and field values only: elsewhere, plain UTC.
    assert reply.title == "Digests from 13 September 2023"
    assert reply.footer == "As of Wednesday, 13 September 2023 03:00 UTC"
    embed = pages(digest_like())[0].embed.to_dict()
    assert embed["description"] == f"Next: <t:{UNIX}:F>"
    assert "<t:" not in embed["title"] + embed["footer"]["text"] + embed["fields"][0]["name"]


def test_the_console_writes_moments_in_its_local_zone() -> None:
    text = render_text(digest_like(), zone=ZoneInfo("Asia/Vladivostok"))
    assert "Next: Wednesday, 13 September 2023 13:00 +10" in text
    assert "Last digest: 1 day ago" in text
    assert "⟦" not in text
    assert "Next: Tuesday, 12 September 2023 23:00 EDT" in render_text(digest_like(), zone=ZoneInfo("America/New_York"))


def test_relative_moments_read_as_discord_says_them() -> None:
    now = SUMMIT
    assert moments.relative(now + timedelta(hours=3, minutes=5), now) == "in 3 hours"
    assert moments.relative(now - timedelta(minutes=1), now) == "1 minute ago"
    assert moments.relative(now + timedelta(seconds=12), now) == "in 12 seconds"
    assert moments.relative(now, now) == "now"


def test_a_timeline_event_with_a_known_moment_carries_it(briefing: Briefing) -> None:
    events = list(briefing.events)
    events[0] = events[0].model_copy(update={"at": SUMMIT})
    router = Router(briefing.model_copy(update={"events": tuple(events)}), Surface.console)
    reply = router.handle("timeline")
    assert reply.items[0].when == Moment(at=SUMMIT)
    assert all(item.when is None for item in reply.items[1:])
    text = render_text(reply, zone=ZoneInfo("Europe/London"))
    assert f"1. Wednesday, 13 September 2023 04:00 BST · {events[0].when}" in text


def test_a_moment_loads_from_the_briefing_files_only_with_its_zone(mini: object) -> None:
    from pathlib import Path

    from bot.briefing.load import load

    root = Path(str(mini))
    event = """\
events:
  - id: met
    when: Wednesday
    at: {at}
    order: 1
    text: The leaders met at a spaceport.
    certainty: confirmed
    sources:
      - article: m0
        quote: The leaders met on Wednesday at a spaceport.
"""
    (root / "briefings" / "timeline.yaml").write_text(event.format(at="2023-09-13T13:00:00+10:00"), encoding="utf-8")
    result = load(root, root / "briefings", root / "seeds")
    assert result.ok and result.briefing is not None
    assert result.briefing.events[0].at == SUMMIT
    (root / "briefings" / "timeline.yaml").write_text(event.format(at="2023-09-13T13:00:00"), encoding="utf-8")
    result = load(root, root / "briefings", root / "seeds")
    assert not result.ok
    assert any("timezone" in p.message.lower() for p in result.problems), result.problems


def test_clipping_never_cuts_a_timestamp_in_two() -> None:
    text = f"Next digest <t:{UNIX}:F> and more words after it"
    for limit in range(12, 30):
        clipped = clip(text, limit)
        assert "<t" not in clipped or f"<t:{UNIX}:F>" in clipped, clipped
