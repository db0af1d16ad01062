"""Commands import only what they use: `ask`, `check` and `export` never load discord.py, SQLAlchemy,
APScheduler or aiohttp (a new process each, as a user runs them)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT

NOT_FOR_THE_BRIEFING = ("discord", "sqlalchemy", "apscheduler", "aiohttp", "prometheus_client")
RUN = """
import contextlib, io, sys
from bot.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exit:
        code = exit.code
print(code)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.mark.parametrize(
    "args",
    [["ask", "where did kim and putin meet"], ["ask", "--json", "--batch", "-"], ["check", "--quiet"],
     ["export", "--json"]],
    ids=lambda args: " ".join(args[:2]),
)  # fmt: skip
def test_briefing_commands_never_import_discord_or_the_database(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-c", RUN, *args], cwd=PROJECT, input="vostochny\n", capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    code, modules = proc.stdout.splitlines()
    assert code == "0", proc.stderr
    assert set(modules.split()) & set(NOT_FOR_THE_BRIEFING) == set()


def test_the_command_line_itself_imports_nothing_heavy() -> None:
    proc = subprocess.run([sys.executable, "-c", RUN, "--help"], cwd=PROJECT, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    code, modules = proc.stdout.splitlines()
    assert code == "0", proc.stderr
    assert set(modules.split()) & {"pydantic", "numpy", "yaml", *NOT_FOR_THE_BRIEFING} == set()
