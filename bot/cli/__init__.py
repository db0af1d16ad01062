"""The `briefbot` command line: one sub-command per module in this package.

Each module imports what its command needs when the command runs, so that `briefbot ask` loads
neither discord.py nor SQLAlchemy. A mistake (a setting, a file, an input) ends in a line or two
saying what to do, and a non-zero exit status; a bug ends in one line too, unless `--debug` (or
LOG_LEVEL=DEBUG) asks for the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from bot import __version__, errors
from bot.cli import ask, check, console, digest, export, health, migrate, read, run, sync

# Exit status of an unexpected error (a bug): EX_SOFTWARE from sysexits.h.
BUG = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Briefs people on the September 2023 Kim Jong Un – Vladimir Putin summit.",
    )
    parser.add_argument("--version", action="version", version=f"briefbot {__version__}")
    parser.add_argument(
        "--briefings", metavar="DIR", help="the briefing folder (default: BRIEFING_DIR, else the project's briefings/)"
    )
    parser.add_argument(
        "--seeds", metavar="DIR", help="the articles folder (default: SEEDS_DIR, else the project's seeds/)"
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (run, console, ask, read, check, export, digest, sync, migrate, health):
        module.register(commands)
    return parser


def quiet_libraries() -> None:
    """Libraries set up for what briefbot does not use: no warnings about discord.py's voice support,
    no search of every installed package for pydantic plugins (briefbot has none), and one thread
    for numpy's BLAS, whose pool of threads costs more to start than a command's arithmetic takes.
    Each is a default: the environment can still say otherwise."""
    warnings.filterwarnings("ignore", message=r"'audioop' is deprecated", category=DeprecationWarning)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


def main(argv: Sequence[str] | None = None) -> int:
    quiet_libraries()
    args = build_parser().parse_args(argv)
    name = f"briefbot {args.command}"
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`briefbot ask … | head`): nothing more to say, to anyone.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except errors.OperatorError as exc:
        errors.say(f"{name}: {exc}")
        return exc.exit_code
    except Exception as exc:
        message = errors.explain(exc)
        if message is not None:
            errors.say(f"{name}: {message}")
            return 1
        shown = args.debug or errors.debugging() or os.environ.get("LOG_LEVEL", "").upper() == "DEBUG"
        if shown:
            import traceback

            errors.say("".join(traceback.format_exception(exc)).rstrip())
        errors.say(
            f"{name}: unexpected error: {type(exc).__name__}: {errors.first_line(exc)}\n"
            + (
                "This is a bug in briefbot: please report it, with the traceback above."
                if shown
                else "This is a bug in briefbot: run the command again with --debug for the traceback, and report it."
            )
        )
        return BUG
