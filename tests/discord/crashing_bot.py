"""`python -m tests.discord.crashing_bot POINT`: the bot exactly as `python -m bot run` starts it,
except that it kills itself with SIGKILL when a digest reaches POINT ("claimed", "posting",
"posted", "marked"), as a power cut would. Fault injection lives here, in the tests, not in the
bot's settings."""

from __future__ import annotations

import os
import signal
import sys

from bot.cli import main
from bot.digest.service import DigestService


def crash_at(point: str) -> None:
    def checkpoint(self: DigestService, at: str) -> None:
        if at == point:
            os.kill(os.getpid(), signal.SIGKILL)

    DigestService.checkpoint = checkpoint  # type: ignore[method-assign,assignment]


if __name__ == "__main__":
    crash_at(sys.argv[1])
    sys.exit(main(["run"]))
