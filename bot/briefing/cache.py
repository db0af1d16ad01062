"""A verified briefing kept on disk, so that a command which only answers (`briefbot ask`) does not
parse and verify again files that have not changed since they were last verified.

The key is a hash of every file under the briefing and articles folders, of the loader's own code
(this package: models, rules, word lists) and of the versions of briefbot and pydantic: any change
means a full load. Only a briefing that loaded without a single problem is kept, as JSON read back
through the same pydantic models (about 2 ms, against 50 for parsing and verifying the files). One
file per pair of folders, in $XDG_CACHE_HOME/briefbot (~/.cache/briefbot); when it cannot be read or
written, the briefing is simply loaded. `check` and `/reload` never use it: they always prove the
files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import pydantic

from bot import __version__
from bot.briefing.models import Briefing

_CODE = Path(__file__).resolve().parent


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefbot"


def key(briefings: Path, seeds: Path) -> str:
    digest = hashlib.sha256(f"{__version__}\0{pydantic.VERSION}\0".encode())
    for folder in (_CODE, briefings, seeds):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _file(briefings: Path, seeds: Path) -> Path:
    where = hashlib.sha256(f"{briefings.resolve()}\0{seeds.resolve()}".encode()).hexdigest()[:24]
    return cache_folder() / f"briefing-{where}.json"


def read(briefings: Path, seeds: Path, wanted: str) -> Briefing | None:
    """The briefing verified from files whose key is `wanted`, or None."""
    try:
        head, _, body = _file(briefings, seeds).read_bytes().partition(b"\n")
        return Briefing.model_validate_json(body) if head.decode() == wanted else None
    except (OSError, ValueError):  # a pydantic ValidationError is a ValueError
        return None


def write(briefings: Path, seeds: Path, wanted: str, briefing: Briefing) -> None:
    """Keep `briefing`, verified without a problem from files whose key is `wanted`; silently not, if
    the cache folder cannot be written."""
    target = _file(briefings, seeds)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=target.parent, suffix=".tmp", delete=False) as f:
            f.write(wanted.encode() + b"\n" + briefing.model_dump_json().encode())
        os.replace(f.name, target)
    except OSError:
        with contextlib.suppress(OSError, NameError):
            os.unlink(f.name)
