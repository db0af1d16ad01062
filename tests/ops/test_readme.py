"""The README says what the code does: every setting is documented (and in .env.example), every
`briefbot …` command it shows exists with those options, and the briefing's figures are `check`'s."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from bot.cli import build_parser
from bot.config import Settings
from tests.conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (PROJECT / ".env.example").read_text(encoding="utf-8")
# Fault injection for the crash tests: in the README's testing section, not in .env.example.
TESTS_ONLY = {"BRIEFBOT_CRASH_AT"}
_BLOCK = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL)
_INLINE = re.compile(r"(?<!`)`((?:briefbot|python3? -m bot) [^`]+)`")


def setting_names() -> set[str]:
    return {str(field.validation_alias or name).upper() for name, field in Settings.model_fields.items()}


def test_every_setting_is_in_the_readme_and_in_env_example() -> None:
    in_readme = {name for name in setting_names() if f"`{name}`" in README or f"{name}=" in README}
    assert setting_names() - in_readme == set()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, re.MULTILINE))
    assert setting_names() - TESTS_ONLY - listed == set()


def shown_commands() -> list[str]:
    """Each `briefbot …` command in the README's code blocks and inline code, as written."""
    found = []
    for block in _BLOCK.findall(README):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            for part in re.split(r"&&|;", line):
                part = part.strip()
                if re.match(r"(briefbot|python3? -m bot) ", part):
                    found.append(part)
    found += _INLINE.findall(README)
    # Not commands: "briefbot …" in general, and messages it prints ("briefbot run: SHARD_COUNT=…").
    return [c for c in found if not re.match(r"\S+( -m bot)? (…|\w+:)", c)]


def argv_variants(command: str) -> list[list[str]]:
    """The arguments without the optional [..] parts, and with them (placeholders such as ID filled in)."""
    command = re.split(r"\s+#\s", command)[0]  # a trailing comment
    command = re.split(r"\s[<>|]\s?", command)[0]  # a redirection or pipe
    command = command.replace("…", "").strip()
    words = re.sub(r"^(briefbot|python3? -m bot)\s*", "", command)
    without = re.sub(r"\[[^\]]*\]", "", words)
    with_all = re.sub(r"[\[\]]", "", words)
    fill = {"ID": "123", "T": "arms", "N": "3", "PERCENT": "90", "FILE": "-", "DIR": "."}
    return [[fill.get(w, w) for w in shlex.split(variant)] for variant in (without, with_all)]


def test_the_readme_shows_every_command_and_each_shown_command_exists() -> None:
    commands = shown_commands()
    shown = {argv[0] if not argv[0].startswith("-") else argv[1] for c in commands for argv in argv_variants(c)}
    parser = build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    assert set(subcommands) <= shown, "a command the README never shows"  # type: ignore[arg-type]
    for command in commands:
        for argv in argv_variants(command):
            try:
                parser.parse_args(argv)
            except SystemExit:
                pytest.fail(f"README shows `{command}`, which briefbot does not accept ({argv})")


def test_the_readme_s_check_output_is_what_check_says() -> None:
    shown = re.search(r"\$ briefbot check --quiet\n(.*?)```", README, re.DOTALL)
    assert shown is not None
    proc = subprocess.run([sys.executable, "-m", "bot", "check", "--quiet"], cwd=PROJECT, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    actual = re.sub(r"^briefing ([\d.]+)\+\w+:", r"briefing \1+…:", proc.stdout, flags=re.MULTILINE)
    assert shown[1] == actual


def test_the_readme_names_as_many_articles_as_the_briefing_has() -> None:
    numbers = {"five": 5, "six": 6, "four": 4}
    said = {numbers[w] for w in re.findall(r"\b(four|five|six) (?:news )?articles\b", README)}
    sources = len(list((PROJECT / "seeds").glob("*.txt")))
    assert said == {sources}
