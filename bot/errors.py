"""Mistakes a person can fix, told in a line or two, and secrets kept out of everything printed.

An `OperatorError` is raised where a setting, a file or an input is found wrong; its message names
it and says what to do. The command line prints the message, never a traceback, and exits with
`exit_code` (see `bot/cli/__init__.py`). Everything it prints, and every log line, goes through
`redact` first.
"""

from __future__ import annotations

import errno
import re
import sys
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

# Interaction tokens (each a 15-minute credential) travel in webhook and callback URLs and in the
# gateway's INTERACTION_CREATE payloads, which discord.py logs at DEBUG.
_INTERACTION_TOKEN = re.compile(
    r"(?P<head>/(?:interactions|webhooks)/\d+/)[^/\s'\"?]+"
    r"|(?P<key>['\"]token['\"]\s*:\s*['\"])[^'\"]+"
)
HIDDEN = "[redacted]"


class OperatorError(Exception):
    """A mistake in a setting, a file or an input: the message says which, and what to do."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def mask_url(url: str) -> str:
    """The URL with its password replaced, for messages and logs: `postgresql://bot:***@db/briefbot`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unreadable URL)"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def url_passwords(url: str) -> tuple[str, ...]:
    """The URL's password as written and decoded (`p%40ss` is `p@ss`): both must stay hidden."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return ()
    return (password, unquote(password)) if password else ()


def redact(text: str, hidden: Iterable[str | None] = ()) -> str:
    """`text` without the given secrets and without interaction tokens."""
    for secret in hidden:
        if secret:
            text = text.replace(secret, HIDDEN)
    return _INTERACTION_TOKEN.sub(lambda m: f"{m.group('head') or m.group('key')}{HIDDEN}", text)


# What the program learned at start (load_settings): the secrets to hide from everything printed,
# the database a failure is about, and whether tracebacks were asked for (LOG_LEVEL=DEBUG).
_started: dict[str, object] = {"secrets": (), "database": None, "debug": False}


def remember(secrets: Iterable[str], database: str | None = None, debug: bool = False) -> None:
    _started.update(secrets=tuple(secrets), database=database, debug=debug)


def secrets() -> tuple[str, ...]:
    known = _started["secrets"]
    return known if isinstance(known, tuple) else ()


def debugging() -> bool:
    return bool(_started["debug"])


def say(message: str) -> None:
    """Print to stderr, secrets removed."""
    print(redact(message, secrets()), file=sys.stderr)


def explain(exc: BaseException) -> str | None:
    """One or two lines for a failure that is the operator's to fix (the database cannot be reached,
    a folder cannot be written, a driver is missing); None for anything else, which is a bug.

    Libraries are looked up in sys.modules only: an exception cannot come from one never imported.
    """
    database = _started["database"] or "DATABASE_URL"
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_errors is not None and isinstance(exc, sqlalchemy_errors.DBAPIError):
        reason = first_line(exc.orig) if exc.orig is not None else first_line(exc)
        return (
            f"cannot use the database {database} (DATABASE_URL): {reason}\n"
            "Start the database, or correct DATABASE_URL; a SQLite file needs a folder the bot can write to."
        )
    digest_database = sys.modules.get("bot.digest.database")
    if digest_database is not None and isinstance(exc, digest_database.StoreUnavailable):
        return (
            f"{first_line(exc)}\n"
            "Start the database, or correct DATABASE_URL; a SQLite file needs a folder the bot can write to."
        )
    if isinstance(exc, ModuleNotFoundError) and exc.name in ("psycopg", "psycopg2", "psycopg_binary"):
        return "DATABASE_URL names PostgreSQL, but its driver is not installed: pip install 'briefbot[postgres]'"
    if isinstance(exc, OSError) and exc.filename:
        where = str(exc.filename)
        if str(database).startswith("sqlite") and where in str(database):
            reason = "a file is in the way" if exc.errno in (errno.EEXIST, errno.ENOTDIR) else exc.strerror or str(exc)
            return (
                f"cannot create the database's folder {where}: {reason}\n"
                "Point DATABASE_URL at a folder this user may write to, e.g. sqlite:////var/lib/briefbot/briefbot.db"
            )
        return f"cannot use {where}: {exc.strerror or exc}; check the path and its permissions"
    if isinstance(exc, UnicodeDecodeError):
        return f"an input is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}): save it as UTF-8"
    return None


def first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return lines[0] if lines else type(value).__name__
