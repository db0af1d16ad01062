"""`briefbot check` never crashes: each broken briefing in tests/briefing/broken.py gets a message that
names the file (and the line where there is one), exit status 1, no traceback, within 30 seconds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.briefing.load import load
from tests.briefing.broken import CASES, DEADLINE_SECONDS, Case, run_case, write_mini
from tests.conftest import PROJECT, RunBot


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_briefing_gets_a_clean_message(case: Case, tmp_path: Path) -> None:
    if case.needs_non_root and os.geteuid() == 0:
        pytest.skip("root reads any file: an unreadable file cannot be made")
    outcome = run_case(case, tmp_path)
    assert outcome.returncode is not None, f"no answer within {DEADLINE_SECONDS} s"
    assert outcome.returncode == 1, outcome.output
    assert not outcome.traceback, outcome.output
    assert "unexpected error" not in outcome.output, outcome.output
    assert outcome.names_file, f"no 'error: {case.file}:{case.line or ''}' line in:\n{outcome.output}"
    assert case.says in outcome.output, outcome.output


@pytest.mark.parametrize("case", [c for c in CASES if c.name != "named-pipe"], ids=lambda c: c.name)
def test_the_loader_returns_problems_instead_of_raising(case: Case, tmp_path: Path) -> None:
    """What /reload calls: bad data is a list of problems, never an exception."""
    if case.needs_non_root and os.geteuid() == 0:
        pytest.skip("root reads any file")
    write_mini(tmp_path)
    case.make(tmp_path)
    result = load(tmp_path)
    assert not result.ok
    assert any(p.file == case.file for p in result.problems), result.problems


def test_the_shipped_briefing_passes_the_same_command(run_bot: RunBot, tmp_path: Path) -> None:
    shutil.copytree(PROJECT / "briefings", tmp_path / "briefings")
    shutil.copytree(PROJECT / "seeds", tmp_path / "seeds")
    proc = run_bot("--briefings", str(tmp_path / "briefings"), "--seeds", str(tmp_path / "seeds"), "check", "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("ok")


def test_at_least_fifteen_kinds_of_breakage_are_covered() -> None:
    assert len(CASES) >= 15
    assert len({c.name for c in CASES}) == len(CASES)
