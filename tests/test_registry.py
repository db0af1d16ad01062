"""The registry of commands: the README, /help and the console say exactly what it holds."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.commands import readme, registry
from bot.commands.registry import Audience, Kind, Surface
from bot.limits import COMMAND_DESCRIPTION, COMMAND_NAME, OPTION_DESCRIPTION, OPTION_NAME
from bot.reply import ReplyKind
from bot.router import HANDLERS, Router
from tests.conftest import PROJECT

# Discord's rule for slash command and option names.
NAME = re.compile(r"^[-_\w]{1,32}$")


def test_the_readme_tables_are_the_registry_s() -> None:
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert sorted(readme.audiences(text)) == sorted(a.value for a in Audience)
    assert readme.rewrite(text) == text, "README.md is out of date: run python -m bot.commands.readme"


def test_the_readme_check_notices_a_stale_table(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    stale.write_text(text.replace("| `/brief` |", "| `/brief now` |"), encoding="utf-8")
    assert readme.main(["--check", "--file", str(stale)]) == 1
    assert readme.main(["--file", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == text


def test_every_entry_fits_discord() -> None:
    seen: set[str] = set()
    for entry in registry.COMMANDS:
        assert entry.name not in seen
        seen.add(entry.name)
        if entry.kind is Kind.slash:
            assert NAME.match(entry.name) and entry.name == entry.name.lower()
        assert len(entry.name) <= COMMAND_NAME
        assert 1 <= len(entry.description) <= COMMAND_DESCRIPTION
        for sub in entry.subcommands:
            assert NAME.match(sub.name) and 1 <= len(sub.description) <= COMMAND_DESCRIPTION
        for param in (*entry.params, *(p for sub in entry.subcommands for p in sub.params)):
            assert NAME.match(param.name) and len(param.name) <= OPTION_NAME
            assert 1 <= len(param.description) <= OPTION_DESCRIPTION
        assert entry.contexts and entry.installs and entry.surfaces


def test_the_console_answers_to_exactly_the_registry_s_console_commands(tmp_path: Path) -> None:
    from bot.cli.console import build

    args = argparse.Namespace(briefings=None, seeds=None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
        console, _ = build(args)
    assert console.commands == set(registry.names(Surface.console))
    for name in registry.names(Surface.console):
        if name != "quit":
            assert "There is no command" not in console.respond(f"/{name}"), name
    assert "There is no command “tpic”" in console.respond("/tpic")


def test_the_router_serves_only_registered_commands() -> None:
    assert set(HANDLERS) <= set(registry.names(Surface.console))
    # Discord's message menu entry runs the console's /verify; every slash command has its handler.
    discord = {c.name for c in registry.on(Surface.discord) if c.kind is Kind.slash}
    assert discord - set(HANDLERS) == {"reload", "digest"}
    assert set(registry.names(Surface.cli)) <= set(HANDLERS)


@pytest.mark.parametrize("surface", list(Surface))
def test_help_lists_every_command_of_its_surface(router: Router, surface: Surface) -> None:
    reply = Router(router.briefing, surface).handle("help")
    assert reply.kind is ReplyKind.help
    assert [item.id for item in reply.items] == list(registry.names(surface))
    if surface is Surface.cli:  # what needs no prompt: no /digest, /reload or /quit
        assert {item.title for item in reply.items} >= {"briefbot who name", "briefbot verify claim"}
        return
    digest = next(item for item in reply.items if item.id == "digest")
    for sub in registry.command("digest").subcommands:
        assert f"/digest {sub.name}" in digest.text
    assert ("/quit" in {item.title for item in reply.items}) is (surface is Surface.console)
