"""/digest on Discord: subscribe, the digest arriving at its slot, restarts, refusals and pauses."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.adapters.discord.client import BriefBot
from bot.briefing.models import Briefing
from tests.discord.conftest import followup, interact, running, settings_for
from tests.fakediscord.server import FakeDiscord, Recorded

EPHEMERAL = 64


def next_minute() -> tuple[str, datetime]:
    slot = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return f"{slot:%H:%M}", slot


def description(response: Recorded) -> str:
    data = response.body.get("data", response.body)
    return str(data["embeds"][0].get("description", ""))


async def moderator(fake: FakeDiscord, name: str, **options: Any) -> Recorded:
    return await interact(fake, fake.slash(f"digest {name}", options, by=fake.owner))


async def posts(fake: FakeDiscord, timeout: float = 5) -> Recorded:
    return await fake.wait_for(
        lambda r: r.method == "POST" and r.path == f"/channels/{fake.channel_id}/messages", timeout
    )


async def test_subscribe_for_the_next_minute_posts_exactly_one_digest_when_it_comes(
    fake: FakeDiscord, bot: BriefBot
) -> None:
    at, slot = next_minute()
    response = await moderator(fake, "subscribe", time=at, timezone="UTC", size=3)
    assert response.body["data"]["flags"] & EPHEMERAL
    assert "Digest subscribed" in response.body["data"]["embeds"][0]["title"]
    assert bot.digests is not None
    bot.digests.clock = lambda: slot + timedelta(seconds=2)  # the minute has come
    posted = await posts(fake)
    (embed,) = posted.body["embeds"]
    assert embed["footer"]["text"] == "Digest #1"
    assert len(embed["fields"]) == 3
    assert posted.body["allowed_mentions"] == {"parse": []}
    assert len(posted.body["nonce"]) <= 25 and posted.body["enforce_nonce"] is True
    for _ in range(5):
        await bot.digests.tick()
    assert len(fake.sent("POST", rf"/channels/{fake.channel_id}/messages")) == 1


async def test_the_subscription_and_its_next_time_survive_a_restart(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path
) -> None:
    settings = settings_for(fake, database_url=f"sqlite:///{tmp_path / 'digests.db'}")
    async with running(settings, briefing):
        await moderator(fake, "subscribe", time="08:00", timezone="Europe/Berlin", weekdays="mon-fri")
    async with running(settings, briefing):
        listing = await moderator(fake, "list")
    (embed,) = listing.body["data"]["embeds"]
    (field,) = embed["fields"]
    assert "08:00 Europe/Berlin, Monday to Friday" in field["value"]
    # The next time as a Discord timestamp, shown to each reader in their own zone: 08:00 in Berlin.
    (unix,) = re.findall(r"Next: <t:(\d+):F>", field["value"])
    local = datetime.fromtimestamp(int(unix), ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (8, 0) and local.weekday() < 5
    assert "Status: active" in field["value"]


async def test_a_forbidden_channel_pauses_its_digest_with_the_reason(fake: FakeDiscord, bot: BriefBot) -> None:
    at, slot = next_minute()
    await moderator(fake, "subscribe", time=at, timezone="UTC")
    fake.forbidden.add(fake.channel_id)
    assert bot.digests is not None
    bot.digests.clock = lambda: slot + timedelta(seconds=2)
    refused = await fake.wait_for(lambda r: r.path.endswith("/messages") and r.status == 403)
    assert refused.status == 403
    await bot.digests.tick()  # the scheduler keeps running
    listing = await moderator(fake, "list")
    value = listing.body["data"]["embeds"][0]["fields"][0]["value"]
    assert "Status: paused: the bot may not post" in value


async def test_readers_cannot_manage_digests(fake: FakeDiscord, bot: BriefBot) -> None:
    response = await interact(fake, fake.slash("digest subscribe", {"time": "08:00", "timezone": "UTC"}))
    assert response.body["data"]["flags"] & EPHEMERAL
    assert "Manage Server" in description(response)


async def test_bad_schedules_get_a_clear_ephemeral_refusal_and_nothing_is_stored(
    fake: FakeDiscord, bot: BriefBot
) -> None:
    for options, says in (
        ({"time": "25:00", "timezone": "UTC"}, "is not a time: use HH:MM on a 24-hour clock, e.g. 08:00"),
        ({"time": "08:00", "timezone": "Mars/Base"}, "is not a time zone: use an IANA name such as Europe/Berlin"),
        ({"time": "08:00", "timezone": "UTC", "weekdays": ","}, "has an empty item between commas"),
        ({"time": "08:00", "timezone": "UTC", "weekdays": "monkey,tuesdayX"}, "“monkey” and “tuesdayX” are not days"),
        ({"time": "08:00", "timezone": "UTC", "topics": "cooking"}, "No topic matches “cooking”"),
        ({"time": "08:00", "timezone": "UTC", "topics": "arms,"}, "has an empty item between commas"),
        ({"time": "08:00", "timezone": "UTC", "weekdays": "mon", "topics": "cooking"}, "No topic matches"),
    ):
        response = await moderator(fake, "subscribe", **options)
        assert response.body["data"]["flags"] & EPHEMERAL
        assert says in description(response)
        assert "e.g." in description(response) or "such as" in description(response) or "Topics:" in description(
            response
        )
    listing = await moderator(fake, "list")
    assert listing.body["data"]["embeds"][0]["title"] == "No digests"


async def test_a_time_the_clocks_skip_is_accepted_and_the_reply_says_when_it_goes_instead(
    fake: FakeDiscord, bot: BriefBot
) -> None:
    response = await moderator(fake, "subscribe", time="02:30", timezone="Europe/Berlin")
    text = description(response)
    assert "Digest subscribed" in response.body["data"]["embeds"][0]["title"]
    assert "the clocks in Europe/Berlin go forward past 02:30" in text
    assert "goes out once, at 03:00, right after the change" in text


async def test_subscribing_where_the_bot_cannot_post_is_refused(fake: FakeDiscord, bot: BriefBot) -> None:
    fake.bot_permissions = str(1024 | 2048 | 65536)  # no Embed Links
    response = await moderator(fake, "subscribe", time="08:00", timezone="UTC")
    assert "lacks Embed Links" in description(response)
    # Read Message History too: without it, a digest that may have been posted before a crash
    # could not be looked for.
    fake.bot_permissions = str(1024 | 2048 | 16384)
    response = await moderator(fake, "subscribe", time="08:00", timezone="UTC")
    assert "lacks Read Message History" in description(response)


async def test_preview_pause_resume_send_now_and_remove(fake: FakeDiscord, bot: BriefBot) -> None:
    await moderator(fake, "subscribe", time="08:00", timezone="UTC", topics="arms")
    preview = await moderator(fake, "preview")
    assert preview.body["data"]["embeds"][0]["title"].startswith("Digest preview")
    assert "paused" in (await moderator(fake, "pause")).body["data"]["embeds"][0]["title"].lower()
    assert "resumed" in (await moderator(fake, "resume")).body["data"]["embeds"][0]["title"].lower()
    payload = fake.slash("digest send-now", by=fake.owner)
    await interact(fake, payload)
    edit = await followup(fake, payload)
    assert edit.status == 200 and edit.body["embeds"][0]["title"] == "Digest sent"
    assert fake.messages[fake.originals[payload["token"]]]["embeds"][0]["title"] == "Digest sent"
    assert len(fake.sent("POST", rf"/channels/{fake.channel_id}/messages")) == 1
    assert "removed" in (await moderator(fake, "remove")).body["data"]["embeds"][0]["title"].lower()


async def test_timezone_autocomplete_offers_iana_names(fake: FakeDiscord, bot: BriefBot) -> None:
    from tests.fakediscord.server import Focus

    payload = fake.slash("digest subscribe", {"time": "08:00", "timezone": Focus("europe/ber")}, by=fake.owner, kind=4)
    response = await interact(fake, payload)
    assert response.body["data"]["choices"][0]["value"] == "Europe/Berlin"
