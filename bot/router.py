"""The one command set every adapter uses: a command and its argument in, a `Reply` out.

`HANDLERS` is the hop from a command's name to its code. What each command is called, takes and
says about itself is in `bot/commands/registry.py`; digests (`bot/digest/commands.py`), /reload
(`bot/commands/reload.py`) and the console's /quit are served by the adapters themselves, since
they need a store, a rebuild or a prompt. A reply suggests only commands that exist where it is shown.
"""

from __future__ import annotations

from collections.abc import Callable

from rapidfuzz import fuzz

from bot.answer.engine import Engine
from bot.briefing.models import Briefing
from bot.commands import answers, browsing, verify
from bot.commands.help import help_reply
from bot.commands.items import Items, error
from bot.commands.registry import Surface, names
from bot.reply import Reply

Handler = Callable[["Router", str], Reply]

HANDLERS: dict[str, Handler] = {
    "ask": answers.ask,
    "brief": browsing.brief,
    "topic": browsing.topic,
    "who": browsing.who,
    "timeline": browsing.timeline,
    "quotes": browsing.quotes,
    "sources": browsing.sources,
    "help": help_reply,
    # Discord's "Check in briefing" message menu runs it too.
    "verify": verify.verify,
}


class Router:
    """One briefing served: its answer engine, its reply items, and every reader command by name."""

    def __init__(self, briefing: Briefing, surface: Surface = Surface.console, cached: bool = False) -> None:
        self.briefing = briefing
        # Where the replies are shown: /help lists that surface's commands, suggestions name only them.
        self.surface = surface
        # cached: the answer index as this briefing last had it (bot/answer/cache.py), for commands
        # that answer once and exit.
        self.engine = Engine(briefing, cached=cached)
        self.items = Items(briefing, surface)
        self.disputes = verify.Disputes(briefing)
        self._offered = frozenset(names(surface))

    def handle(self, command: str, argument: str = "") -> Reply:
        name = command.strip().lstrip("/").lower()
        handler = HANDLERS.get(name)
        if handler is None:
            tail = f" {argument.strip()}" if argument.strip() else ""
            near = tuple(f"/{c}{tail}" for c in names(self.surface) if " " not in c and fuzz.ratio(c, name) >= 60)
            return self.here(error(name or "help", f"There is no command “{name}”.", near or ("/help",)))
        return self.here(handler(self, argument.strip()))

    def handle_line(self, line: str) -> Reply:
        """A console or CLI line: `/who peskov`, `who peskov`, or a bare question."""
        text = line.strip()
        head, _, rest = text.partition(" ")
        name = head.lstrip("/").lower()
        if name in HANDLERS or head.startswith("/"):
            return self.handle(name, rest)
        return self.ask(text)

    def ask(self, question: str) -> Reply:
        """The question path every adapter shares (the CLI's `ask`, `--batch` and the question sets)."""
        return self.here(answers.ask(self, question.strip()))

    def here(self, reply: Reply) -> Reply:
        """The reply with only the suggestions a reader can follow where it is shown: `/topic …`
        exists on Discord and in the console, `/quit` only in the console, `/help` not in the CLI."""
        kept = tuple(s for s in reply.suggestions if s.startswith("/") and self._command_of(s) in self._offered)
        return reply if kept == reply.suggestions else reply.model_copy(update={"suggestions": kept})

    @staticmethod
    def _command_of(suggestion: str) -> str:
        return suggestion.removeprefix("/").split(" ", 1)[0].lower()
