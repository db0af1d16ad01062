"""/reload without Discord: what changed is reported by id, and a broken briefing never replaces the live one."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot.briefing.load import load, load_briefing
from bot.commands import reload
from bot.commands.reload import Reloader
from bot.reply import Reply, ReplyKind
from bot.router import Router

NEW_SNIPPET = """\
  - id: meeting-analysts
    topic: meeting
    title: Analysts doubt sanctions will stop a deal
    text: Analysts are doubtful that sanctions of the U.N. will prevent an agreement.
    certainty: analysis
    sources:
      - {article: m0, quote: "Analysts doubt that U.N. sanctions will stop a deal."}
"""


class Served:
    """What an adapter holds: the live router, replaced only by `serve`."""

    def __init__(self, root: Path) -> None:
        self.router = Router(load_briefing(root))
        self.reloader = Reloader(lambda: self.router, self.serve, root / "briefings", root / "seeds")

    def serve(self, router: Router) -> None:
        self.router = router


def items(reply: Reply) -> dict[str, str]:
    return {item.title: item.text for item in reply.items}


def test_reload_reports_snippets_added_removed_and_edited_by_id(mini: Path) -> None:
    served = Served(mini)
    snippets = mini / "briefings" / "snippets" / "meeting.yaml"
    text = snippets.read_text(encoding="utf-8")
    text = text.replace("Officials described the talks as going well.", "Officials said the talks went well, no more.")
    text = text.replace("  - id: meeting-wednesday", NEW_SNIPPET + "  - id: meeting-wednesday")
    text = text.replace("id: meeting-talks", "id: meeting-talks-well")
    snippets.write_text(text, encoding="utf-8")

    reply = served.reloader.reload_here()

    assert reply.title == "Briefing reloaded"
    assert items(reply) == {
        "Snippets added (2)": "meeting-analysts, meeting-talks-well",
        "Snippets removed (1)": "meeting-talks",
    }
    assert {s.id for s in served.router.briefing.snippets} == {
        "meeting-analysts",
        "meeting-wednesday",
        "meeting-talks-well",
    }


def test_an_edit_is_reported_as_edited(mini: Path) -> None:
    served = Served(mini)
    snippets = mini / "briefings" / "snippets" / "meeting.yaml"
    snippets.write_text(
        snippets.read_text(encoding="utf-8").replace("at a spaceport on Wednesday", "on Wednesday, at a spaceport"),
        encoding="utf-8",
    )
    reply = served.reloader.reload_here()
    assert items(reply) == {"Snippets edited (1)": "meeting-wednesday"}


def test_reloading_unchanged_files_says_nothing_changed(mini: Path) -> None:
    served = Served(mini)
    reply = served.reloader.reload_here()
    assert reply.items == ()
    assert "Nothing changed" in (reply.description or "")


def test_a_broken_briefing_leaves_the_live_one_serving(mini: Path) -> None:
    served = Served(mini)
    live = served.router
    entities = mini / "briefings" / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").replace("id: officials", "id: Officials!"), "utf-8")
    reply = served.reloader.reload_here()
    assert reply.kind is ReplyKind.error
    assert reply.title.startswith("Not reloaded:")
    assert "briefings/entities.yaml" in (reply.description or "")
    assert f"stays at {live.briefing.version}" in (reply.description or "")
    assert served.router is live


def test_a_thousand_changes_fit_discord_and_say_how_many_more(mini: Path) -> None:
    served = Served(mini)
    many = "".join(NEW_SNIPPET.replace("meeting-analysts", f"meeting-analysts-{n:04d}") for n in range(1000))
    (mini / "briefings" / "snippets" / "many.yaml").write_text("snippets:\n" + many, encoding="utf-8")
    reply = served.reloader.reload_here()
    added = items(reply)["Snippets added (1000)"]
    assert len(added) <= 1024
    assert added.startswith("meeting-analysts-0000, meeting-analysts-0001")
    assert added.endswith(" more")


async def test_the_event_loop_keeps_running_while_the_briefing_rebuilds(
    mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = Served(mini)
    live = served.router
    started, release = threading.Event(), threading.Event()
    real_load = load

    def slow_load(*args: object) -> object:
        started.set()
        release.wait(10)
        return real_load(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(reload, "load", slow_load)
    reloading = asyncio.create_task(served.reloader.reload())
    while not started.is_set():
        await asyncio.sleep(0.01)
    # The loop answers meanwhile, from the live briefing; a second reload is turned away.
    assert served.router is live
    assert (await served.reloader.reload()).title == "A reload is already running"
    release.set()
    reply = await asyncio.wait_for(reloading, 10)
    assert reply.title == "Briefing reloaded"
    assert served.router is not live
