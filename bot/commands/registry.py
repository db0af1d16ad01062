"""Every command, once: what it is called, what it takes, who may use it, where, and what it gives.

Discord's slash commands (names, descriptions, options, installs, contexts, permissions), the
console's commands, `/help` and the README's command tables are all produced from `COMMANDS`.
A new command (or a message context-menu entry such as "Check in briefing") is one more entry
here, plus its code: the reader and browsing commands in `bot/commands/`, digests in
`bot/digest/commands.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    reader = "reader"  # anyone
    moderator = "moderator"  # the Manage Server permission, checked again when run
    owner = "owner"  # the bot's owners (OWNER_IDS, or the application's owners)


class Install(StrEnum):
    """How the app reaches the command (Discord's integration types)."""

    guild = "guild"  # installed to a server
    user = "user"  # installed by a user, usable wherever they are


class Context(StrEnum):
    """Where the command may be used (Discord's interaction contexts)."""

    guild = "guild"
    bot_dm = "bot_dm"  # a DM with the bot
    private_channel = "private_channel"  # group DMs and DMs between users (user installs only)


class Surface(StrEnum):
    discord = "discord"
    console = "console"
    cli = "cli"  # `briefbot NAME …`: the reader commands that need no prompt


class Kind(StrEnum):
    slash = "slash"
    message = "message"  # a message context-menu entry: it takes the message, no options


ANYWHERE = frozenset(Surface)
# Where a command is offered unless its entry says otherwise: the two interactive surfaces.
INTERACTIVE = frozenset({Surface.discord, Surface.console})
# Reader commands: installable by servers and by users, usable in servers, the bot's DMs and other
# private channels (group DMs, DMs between users). Replies there are interaction responses only.
READER_INSTALLS = frozenset(Install)
EVERYWHERE = frozenset(Context)


@dataclass(frozen=True)
class Param:
    name: str
    # Discord shows it under the option (at most 100 characters).
    description: str
    required: bool = True
    autocomplete: bool = False
    surfaces: frozenset[Surface] = ANYWHERE

    def on(self, surface: Surface) -> bool:
        return surface in self.surfaces

    @property
    def usage(self) -> str:
        return self.name if self.required else f"[{self.name}]"


@dataclass(frozen=True)
class Command:
    name: str
    # Discord shows it in the command picker (at most 100 characters).
    description: str
    # What it gives, for /help and the README; the description when None.
    details: str | None = None
    params: tuple[Param, ...] = ()
    audience: Audience = Audience.reader
    installs: frozenset[Install] = READER_INSTALLS
    contexts: frozenset[Context] = EVERYWHERE
    surfaces: frozenset[Surface] = INTERACTIVE
    kind: Kind = Kind.slash
    subcommands: tuple[Command, ...] = ()

    @property
    def summary(self) -> str:
        return self.details or self.description

    def on(self, surface: Surface) -> bool:
        return surface in self.surfaces

    def usage(self, surface: Surface = Surface.discord, prefix: str = "") -> str:
        """How it is typed: `/quotes [speaker]`, `/digest send-now [channel]`, `briefbot who name`."""
        if self.kind is Kind.message:
            return f"{self.name} (message menu: Apps)"
        start = prefix or ("briefbot " if surface is Surface.cli else "/")
        return " ".join([f"{start}{self.name}", *(p.usage for p in self.params if p.on(surface))])


_GUILD_ONLY = frozenset({Context.guild})
_GUILD_INSTALL = frozenset({Install.guild})
# A channel option (the console is one channel) and digest sizes are Discord's alone.
_DISCORD_ONLY = frozenset({Surface.discord})
_CHANNEL = Param("channel", "The channel (default: this one)", required=False, surfaces=_DISCORD_ONLY)


def _digest(name: str, description: str, *params: Param, details: str | None = None) -> Command:
    return Command(
        name, description, details, params, audience=Audience.moderator, installs=_GUILD_INSTALL, contexts=_GUILD_ONLY
    )


COMMANDS: tuple[Command, ...] = (
    Command(
        "ask",
        "Ask about the Kim–Putin summit; the answer cites the articles",
        "the best-matching snippets, each with its sources",
        (Param("question", "Keywords or a question, e.g. where did Kim and Putin meet?", autocomplete=True),),
        surfaces=ANYWHERE,
    ),
    Command(
        "brief",
        "The summit in 60 seconds: the key points, each sourced",
        "the summit in 60 seconds: up to eight key points, each sourced",
        surfaces=ANYWHERE,
    ),
    Command(
        "topic",
        "Everything the briefing says on one topic",
        "everything on one topic (with the places where sources disagree)",
        (Param("name", "A topic, e.g. sanctions", autocomplete=True),),
        surfaces=ANYWHERE,
    ),
    Command(
        "who",
        "A person, place or organisation: role and what they did or said",
        "a person, place or organisation: role, spellings, what they did or said",
        (Param("name", "A name in any spelling, e.g. Choe Sun Hui", autocomplete=True),),
        surfaces=ANYWHERE,
    ),
    Command(
        "timeline",
        "Events in order, with the time as the articles give it",
        "events in order, with the time as the articles give it",
        surfaces=ANYWHERE,
    ),
    Command(
        "quotes",
        "Notable quotes, optionally from one speaker",
        "the articles' quoted words, each with its speaker, role, source and our context",
        (Param("speaker", "Only quotes from this person or body", required=False, autocomplete=True),),
        surfaces=ANYWHERE,
    ),
    Command(
        "sources",
        "The five articles behind the briefing, and what each covers",
        "the five articles and what each covers",
        surfaces=ANYWHERE,
    ),
    Command("help", "What briefbot can do", "the command list"),
    # Checking a claim: on Discord from any message's menu (Apps → Check in briefing), elsewhere typed.
    # Both run the router's `verify` (bot/commands/verify.py).
    Command(
        "Check in briefing",
        "What the briefing says about this message's claims",
        "what the briefing says about a message's claims: the closest snippets with their certainty and "
        "sources, where sources disagree, or that the briefing does not cover it (shown only to you)",
        kind=Kind.message,
        surfaces=frozenset({Surface.discord}),
    ),
    Command(
        "verify",
        "What the briefing says about a claim",
        "what the briefing says about each sentence of a claim: the closest snippet with its certainty and "
        "sources, where sources disagree, or that the briefing does not cover it",
        (Param("claim", "A sentence or a paragraph, e.g. Kim and Putin met in Vladivostok"),),
        surfaces=frozenset({Surface.console, Surface.cli}),
    ),
    Command("quit", "Leave the console", "leave the console (or Ctrl-D)", surfaces=frozenset({Surface.console})),
    Command(
        "reload",
        "Reload briefings/ (bot owners); on errors the live briefing stays",
        "re-read `briefings/` and report the snippets added, removed and edited; "
        "on any problem the live briefing stays and the problems are listed",
        audience=Audience.owner,
        installs=_GUILD_INSTALL,
        contexts=_GUILD_ONLY,
    ),
    Command(
        "digest",
        "Scheduled digests of the briefing (moderators)",
        "scheduled digests of the briefing",
        audience=Audience.moderator,
        installs=_GUILD_INSTALL,
        contexts=_GUILD_ONLY,
        subcommands=(
            _digest(
                "subscribe",
                "Post a digest to a channel on a schedule",
                Param("time", "Local time, HH:MM on a 24-hour clock, e.g. 08:00"),
                Param("timezone", "IANA time zone, e.g. Europe/Berlin", autocomplete=True),
                Param("channel", "Where to post (default: this channel)", required=False, surfaces=_DISCORD_ONLY),
                Param("weekdays", "daily (default), weekdays, weekends, mon-fri or mon,wed,fri", required=False),
                Param("topics", "Only these topics, comma separated (default: all)", required=False, autocomplete=True),
                Param("size", "Snippets per digest, 1 to 10 (default 5)", required=False, surfaces=_DISCORD_ONLY),
                details="post a digest at `time` (HH:MM, 24-hour) in an IANA `timezone` (autocompleted), "
                "`daily` / `weekdays` / `weekends` / `mon-fri` / `mon,wed,fri`, optionally only some topics, "
                "1–10 snippets (default 5); a time that a spring-forward day skips goes out at the first "
                "minute after the change that day",
            ),
            _digest(
                "list",
                "This server's digests: next time, status, last delivery",
                details="each channel's schedule, next time (in each reader's own zone), status (with the reason "
                "if paused), last digest, and the last one that failed, with why",
            ),
            _digest(
                "preview",
                "What this channel's next digest would hold",
                Param("topics", "Only these topics, comma separated", required=False),
                Param("size", "Snippets, 1 to 10", required=False, surfaces=_DISCORD_ONLY),
                details="what the channel's next digest would hold (shown only to you)",
            ),
            _digest(
                "send-now",
                "Post this channel's next digest now",
                _CHANNEL,
                details="post the channel's next digest now",
            ),
            _digest(
                "pause",
                "Stop a channel's digest, keeping its settings",
                _CHANNEL,
                details="stop the digest; it keeps its settings",
            ),
            _digest(
                "resume",
                "Restart a paused digest from its next slot",
                _CHANNEL,
                details="restart a paused digest from its next slot",
            ),
            _digest("remove", "Remove a channel's digest", _CHANNEL, details="remove the channel's digest"),
        ),
    ),
)


def command(name: str) -> Command:
    """The entry named `name` (a top-level command); KeyError names it when there is none."""
    for entry in COMMANDS:
        if entry.name == name:
            return entry
    raise KeyError(f"no command {name!r} in the registry")


def subcommand(group: str, name: str) -> Command:
    for entry in command(group).subcommands:
        if entry.name == name:
            return entry
    raise KeyError(f"no command {group!r} {name!r} in the registry")


def on(surface: Surface) -> tuple[Command, ...]:
    """The commands a surface offers, in the registry's order."""
    return tuple(c for c in COMMANDS if c.on(surface))


def names(surface: Surface) -> tuple[str, ...]:
    return tuple(c.name for c in on(surface))


# -- the README's tables ------------------------------------------------------------------------

README_TABLES = {
    Audience.reader: ("command", "what it gives"),
    Audience.moderator: ("command", "what it does"),
    Audience.owner: ("command", "what it does"),
}


def table_rows(audience: Audience) -> list[tuple[str, str]]:
    """(usage, what it gives) for each Discord command of an audience, subcommands one row each."""
    rows: list[tuple[str, str]] = []
    for entry in on(Surface.discord):
        if entry.audience is not audience:
            continue
        if entry.subcommands:
            rows += [(sub.usage(prefix=f"/{entry.name} "), sub.summary) for sub in entry.subcommands]
        else:
            rows.append((entry.usage(), entry.summary))
    return rows


def markdown_table(audience: Audience) -> str:
    head = README_TABLES[audience]
    lines = [f"| {head[0]} | {head[1]} |", "| --- | --- |"]
    lines += [f"| `{usage}` | {summary} |" for usage, summary in table_rows(audience)]
    return "\n".join(lines)
