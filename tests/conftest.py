"""Shared fixtures: the project's paths, and a tiny briefing a test can break on purpose."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from bot.briefing.models import Briefing
    from bot.router import Router

PROJECT = Path(__file__).resolve().parent.parent
# The verified-briefing cache (bot/briefing/cache.py) of the tests and the processes they start: not
# the user's.
os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="briefbot-test-cache-"))

MINI_ARTICLE = """\
Page header
The leaders met on Wednesday at a spaceport. Officials said the talks went well.

Background Heading

Analysts doubt that U.N. sanctions will stop a deal. Nobody knows what was agreed.
"""

MINI_FILES = {
    "seeds/000_mini.txt": MINI_ARTICLE,
    "seeds/000_mini.yaml": """\
        id: m0
        file: 000_mini.txt
        headline: A tiny test article
        date: unknown
        date_basis: the article names no date
        not_article_text: [Page header]
        headings: [Background Heading]
        summary: Four sentences for the tests.
        """,
    "briefings/briefing.yaml": """\
        version: "0.1"
        title: Mini briefing
        brief: [meeting-wednesday]
        topics:
          - {id: meeting, title: The meeting, summary: Where they met.}
        """,
    "briefings/entities.yaml": """\
        entities:
          - {id: officials, name: Officials, kind: organisation, role: Unnamed officials.}
        """,
    "briefings/snippets/meeting.yaml": """\
        snippets:
          - id: meeting-wednesday
            topic: meeting
            title: They met on Wednesday
            text: The leaders met at a spaceport on Wednesday.
            certainty: confirmed
            entities: [officials]
            sources:
              - article: m0
                quote: The leaders met on Wednesday at a spaceport.
          - id: meeting-talks
            topic: meeting
            title: Talks went well
            text: Officials described the talks as going well.
            certainty: claim
            speaker: officials
            sources:
              - {article: m0, quote: "Officials said the talks went well."}
        """,
    "briefings/timeline.yaml": "events: []\n",
    "briefings/quotes.yaml": "quotes: []\n",
    "briefings/disagreements.yaml": "disagreements: []\n",
}


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A valid two-snippet project in a temporary folder (root holding seeds/ and briefings/)."""
    for name, content in MINI_FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return tmp_path


RunBot = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_bot() -> RunBot:
    """Run `python -m bot ARGS…` as a user would, capturing its output."""

    def run(*args: str, stdin: str | None = None, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=120,
        )

    return run


@pytest.fixture(scope="session")
def briefing() -> Briefing:
    from bot.briefing.load import load_briefing

    return load_briefing(PROJECT)


@pytest.fixture(scope="session")
def router(briefing: Briefing) -> Router:
    from bot.router import Router

    return Router(briefing)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The question sets' figures (tests/answer/test_regression_table.py), after the run: a test's own
    output is not shown when it passes, nor from pytest-xdist's workers."""
    lines = [
        str(value)
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        for name, value in getattr(report, "user_properties", [])
        if name == "figures"
    ]
    if lines:
        terminalreporter.section("question sets")
        for text in sorted(lines):
            terminalreporter.write_line(text)
