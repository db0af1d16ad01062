"""The offline console: the registry's console commands (`/ask …`, `/who …`), rendered as plain text.

On a terminal it behaves like one: line editing and history, a reply longer than the screen is
paged (`$PAGER`, else `less`, else a built-in "-- more --", as Python's `pydoc.pager` chooses), and
a digest that fires while the reader is typing is printed above the prompt, which is drawn again
with what they had typed.
"""

from __future__ import annotations

import contextlib
import io
import os
import pydoc
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO, cast

from bot.adapters.lines import read_lines, text_problem
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
# Clears the terminal line the prompt is on.
CLEAR_LINE = "\r\x1b[K"


class Screen(io.TextIOBase):
    """The console's output. Text written while the reader is at the prompt (a digest, from another
    thread) first clears the prompt line; at its flush the prompt is drawn again with what the reader
    had typed. While a long reply is paged, other output waits."""

    def __init__(self, out: TextIO, prompt: str = PROMPT) -> None:
        super().__init__()
        self.out = out
        self.prompt = prompt
        self.at_prompt = False
        # What the reader has typed so far (GNU readline's line buffer when it is in use).
        self.typed: Callable[[], str] = lambda: ""
        self._lock = threading.RLock()
        self._broke_in = False

    def write(self, text: str) -> int:
        with self._lock:
            if self.at_prompt and not self._broke_in:
                self.out.write(CLEAR_LINE)
                self._broke_in = True
            return self.out.write(text)

    def flush(self) -> None:
        with self._lock:
            if self._broke_in:
                self.out.write(self.prompt + self.typed())
                self._broke_in = False
            self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()

    @contextlib.contextmanager
    def prompting(self) -> Iterator[None]:
        self.at_prompt = True
        try:
            yield
        finally:
            with self._lock:
                self.at_prompt = False
                self._broke_in = False

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Other threads' output waits until the block ends (a pager owns the terminal)."""
        with self._lock:
            yield


def page(text: str) -> None:
    """Page with the reader's pager, as pydoc chooses it. `less` is told what git tells it unless the
    reader's LESS says otherwise: leave the text on the screen when done (X), quit at once when it
    fits (F), keep colours (R)."""
    os.environ.setdefault("LESS", "FRX")
    pydoc.pager(text)


class BadInput(Exception):
    """A line that is not text: reported, and the console reads on."""


class Console:
    def __init__(
        self,
        router: Router,
        out: TextIO = sys.stdout,
        history: Path | None = None,
        pager: Callable[[str], None] | None = None,
    ) -> None:
        self.router = router
        self.screen = Screen(out)
        # Everything the console and its digests print goes through the screen.
        self.out = cast(TextIO, self.screen)
        self.history = history
        # Replies longer than the terminal are paged, only when the output is a terminal.
        self.pager = pager if pager is not None else (page if out.isatty() else None)
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
        print(INTRO, file=self.out, flush=True)
        read = self._prompt if interactive else self._reader(lines)
        # Piped input with lines that are not text: each is named and skipped, and the exit status says so.
        bad = 0
        while True:
            try:
                line = read()
            except EOFError:
                break
            except KeyboardInterrupt:
                print(file=self.out, flush=True)
                continue
            except BadInput as exc:
                bad += 1
                if interactive:
                    self.show(f"Sorry: {exc}.")
                else:
                    print(f"briefbot console: standard input: {exc}", file=sys.stderr, flush=True)
                continue
            # Every run of whitespace, "\r" and tabs included, is one space.
            line = " ".join(line.split())
            if not line:
                continue
            if line.lstrip("/").lower() in QUIT:
                break
            self.show(self.respond(line))
        if interactive:
            self._save_history()
        return 1 if bad and not interactive else 0

    def respond(self, line: str) -> str:
        head, _, rest = line.partition(" ")
        extra = self.extra.get(head.lstrip("/").lower())
        if extra is not None:
            return extra(rest.strip())
        return render_text(self.router.handle_line(line)) + "\n"

    def show(self, text: str) -> None:
        """Print a reply; page it when it is longer than the terminal."""
        with self.screen.holding():
            if self.pager is not None and text.count("\n") + 1 > shutil.get_terminal_size().lines - 1:
                self.pager(text)
            else:
                print(text, file=self.out, flush=True)

    def _prompt(self) -> str:
        with self.screen.prompting():
            try:
                line = input(PROMPT)
            except UnicodeDecodeError as exc:
                byte = exc.object[exc.start]
                raise BadInput(f"that line is not UTF-8 text (byte 0x{byte:02x}); it was skipped") from exc
        problem = text_problem(line)
        if problem:
            raise BadInput(f"that line is {problem}; it was skipped")
        return line

    def _reader(self, lines: TextIO) -> Callable[[], str]:
        """Lines from a pipe or a file: split at "\\n" only, each decoded on its own."""
        buffer = getattr(lines, "buffer", None)
        if buffer is None:  # already text (a test's StringIO)

            def read_text() -> str:
                line = lines.readline()
                if not line:
                    raise EOFError
                return line

            return read_text
        numbered = read_lines(buffer)

        def read() -> str:
            line = next(numbered, None)
            if line is None:
                raise EOFError
            if line.text is None:
                raise BadInput(line.problem or "that line is not text")
            return line.text

        return read

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
        self.screen.typed = readline.get_line_buffer
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
