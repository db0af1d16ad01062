"""Log lines for operators: one format on stderr, no secret, no interaction token, and a network
failure that a library retries told in one line instead of a traceback.

discord.py logs every request's URL at DEBUG (webhook and interaction-callback URLs hold
interaction tokens, each a 15-minute credential) and every gateway event (INTERACTION_CREATE holds
the same token): the formatter removes them from every line, whatever the level. At INFO and above,
the tracebacks of connection failures that discord.py retries by itself ("Attempting a reconnect
in 5.2s") are shortened to their last line; at DEBUG everything is kept.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.errors import redact

FORMAT = "%(asctime)s %(levelname)-8s %(name)s %(message)s"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes the secrets and interaction tokens from the whole text,
    traceback included."""

    def __init__(self, secrets: Sequence[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def _network_errors() -> tuple[type[BaseException], ...]:
    """Failures of the network or of Discord's side, from the libraries already imported."""
    kinds: list[type[BaseException]] = [OSError, asyncio.TimeoutError]
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None:
        kinds.append(aiohttp.ClientError)
    discord = sys.modules.get("discord")
    if discord is not None:
        kinds += [discord.ConnectionClosed, discord.GatewayNotFound, discord.DiscordServerError]
    return tuple(kinds)


class OneLineNetworkFailures(logging.Filter):
    """A logged network failure keeps its message and the error's last line, not the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        failure = record.exc_info[1] if record.exc_info else None
        if failure is not None and isinstance(failure, _network_errors()):
            record.msg = f"{record.getMessage()} ({type(failure).__name__}: {failure})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def setup_logging(level: str, secrets: Sequence[str]) -> None:
    """Every logger to stderr at `level` (DEBUG … CRITICAL), through the redacting formatter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets))
    if level != "DEBUG":
        handler.addFilter(OneLineNetworkFailures())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
