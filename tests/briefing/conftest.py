"""Fixtures for the briefing tests: a copy of the shipped briefing that a test may edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.briefing.load import load
from tests.conftest import PROJECT


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped briefing and articles that a test may edit."""
    shutil.copytree(PROJECT / "briefings", tmp_path / "briefings")
    shutil.copytree(PROJECT / "seeds", tmp_path / "seeds")
    return tmp_path


def problems_of(root: Path, item: str) -> list[str]:
    """What `check` says about one item."""
    return [p.message for p in load(root).problems if p.item == item]
