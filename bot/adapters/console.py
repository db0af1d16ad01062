"""The offline console: the registry's console commands (`/ask …`, `/who …`), rendered as plain text."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.adapters.text import render_text
from bot.commands.registry import Surface, names
from bot.router import HANDLERS, Router

PROMPT = "briefbot> "
# /quit, and the words people try first.
QUIT = ("quit", "exit", "q")
INTRO = (
    "briefbot console: the same commands as on Discord. Type /help, /brief, /who Peskov, "
    "or just ask a question. /quit or Ctrl-D leaves."
)


class Console:
    def __init__(self, router: Router, out: TextIO = sys.stdout, history: Path | None = None) -> None:
        self.router = router
        self.out = out
        self.history = history
        # The console's commands that the router does not serve (/digest, /reload): name → line handler.
        self.extra: dict[str, Callable[[str], str]] = {}

    @property
    def commands(self) -> set[str]:
        """What this console answers to: the router's commands, its extras and /quit."""
        return {*HANDLERS, *self.extra, QUIT[0]}

    def serve(self, router: Router) -> None:
        """Answer from a new briefing (after /reload)."""
        self.router = router

    def run(self, lines: TextIO = sys.stdin) -> int:
        interactive = lines.isatty()
        if interactive:
            self._enable_line_editing()
        print(INTRO, file=self.out)
        while True:
            try:
                line = input(PROMPT) if interactive else lines.readline()
            except EOFError:
                break
            except KeyboardInterrupt:
                print(file=self.out)
                continue
            if not interactive and not line:
                break
            line = line.strip()
            if not line:
                continue
            if line.lstrip("/").lower() in QUIT:
                break
            print(self.respond(line), file=self.out, flush=True)
        if interactive:
            self._save_history()
        return 0

    def respond(self, line: str) -> str:
        head, _, rest = line.partition(" ")
        extra = self.extra.get(head.lstrip("/").lower())
        if extra is not None:
            return extra(rest.strip())
        return render_text(self.router.handle_line(line)) + "\n"

    def _enable_line_editing(self) -> None:
        try:
            import readline
        except ImportError:  # not every platform has GNU readline; the console works without it
            return
        offered = [f"/{name}" for name in names(Surface.console) if name in self.commands]

        def complete(text: str, state: int) -> str | None:
            matches = [n for n in offered if n.startswith(text)]
            return matches[state] if state < len(matches) else None

        readline.set_completer(complete)
        readline.parse_and_bind("tab: complete")
        if self.history and self.history.exists():
            readline.read_history_file(self.history)

    def _save_history(self) -> None:
        if not self.history:
            return
        try:
            import readline

            self.history.parent.mkdir(parents=True, exist_ok=True)
            readline.set_history_length(1000)
            readline.write_history_file(self.history)
        except (ImportError, OSError):
            pass


def default_history() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "briefbot" / "console_history"
