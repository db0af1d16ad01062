"""Every mistake in tests/ops/mistakes.py ends in a line or two that name what to fix: exit status not
0, no traceback, no secret anywhere in the output (the token and the database password are in the
environment of every run, and some runs log at DEBUG)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import PROJECT
from tests.fakediscord.server import FakeDiscord
from tests.ops.mistakes import MISTAKES, Fixtures, Mistake, World, run_mistake

# Fault injection for the crash tests, not an operator's setting.
NOT_FOR_OPERATORS = {"BRIEFBOT_CRASH_AT"}


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
async def test_a_mistake_ends_in_a_short_message_naming_it(mistake: Mistake, tmp_path: Path) -> None:
    async with Fixtures(tmp_path) as world:
        outcome = await run_mistake(mistake, world)
    shown = f"exit {outcome.returncode}\n--- stdout\n{outcome.stdout}\n--- stderr\n{outcome.stderr}"
    assert outcome.returncode not in (0, None), shown
    assert "Traceback" not in outcome.output, shown
    assert not outcome.leaked, shown
    assert 1 <= len(outcome.message) <= 3, shown
    assert outcome.ends_with_message, shown
    assert mistake.says in "\n".join(outcome.message), shown


def test_every_setting_has_a_bad_value_tried_and_there_are_twenty_mistakes_or_more(tmp_path: Path) -> None:
    assert len(MISTAKES) >= 20
    world = World(tmp_path, FakeDiscord(), FakeDiscord(), 1, 2)  # not started: only the names are read
    tried = {name for mistake in MISTAKES for name in mistake.env(world)}
    settings = {str(f.validation_alias or name).upper() for name, f in Settings.model_fields.items()}
    assert settings - NOT_FOR_OPERATORS - tried == set()


@pytest.mark.parametrize("args", [["ask", "--json", "where did kim and putin meet"], ["check", "--quiet"],
                                  ["export", "--json"]], ids=lambda a: a[0])  # fmt: skip
def test_env_example_copied_unchanged_works(args: list[str], tmp_path: Path) -> None:
    shutil.copy(PROJECT / ".env.example", tmp_path / ".env")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT), "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}
    proc = subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and not proc.stderr.strip()


class _Socket:
    close_code = None


@pytest.mark.parametrize(
    ("code", "says"),
    [(4004, "Discord refused DISCORD_TOKEN on the gateway"), (4011, "set SHARD_COUNT"), (4010, "SHARD_IDS"),
     (4999, "closed the gateway connection (4999)")],
)  # fmt: skip
def test_a_gateway_that_closes_for_good_is_told_as_what_to_do(code: int, says: str) -> None:
    import discord

    from bot.adapters.discord.run import discord_failures
    from bot.errors import OperatorError

    with pytest.raises(OperatorError, match=re.escape(says)), discord_failures(Settings(_env_file=None)):  # type: ignore[call-arg]
        raise discord.ConnectionClosed(_Socket(), shard_id=None, code=code)  # type: ignore[arg-type]
