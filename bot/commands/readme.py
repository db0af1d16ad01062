"""The README's command tables, written from the registry: `python -m bot.commands.readme [--check]`.

Each table sits between `<!-- commands: AUDIENCE -->` and `<!-- end commands -->` in README.md;
everything else in the file is left as it is. `--check` changes nothing and exits 1 when a table
differs from what the registry produces (the test suite checks the same).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bot.commands.registry import Audience, markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"
_BLOCK = re.compile(r"(<!-- commands: (\w+) -->\n)(.*?)(<!-- end commands -->)", re.DOTALL)


def rewrite(text: str) -> str:
    """`text` with every marked table replaced by the registry's table for its audience."""
    return _BLOCK.sub(lambda m: f"{m[1]}{markdown_table(Audience(m[2]))}\n{m[4]}", text)


def audiences(text: str) -> list[str]:
    return [m[2] for m in _BLOCK.finditer(text)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.commands.readme", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if README.md is out of date")
    parser.add_argument("--file", type=Path, default=README, help="the README (default: the project's)")
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    wanted = rewrite(text)
    if args.check:
        if wanted != text:
            print(f"{args.file}: the command tables differ from the registry; run python -m bot.commands.readme")
            return 1
        return 0
    args.file.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
