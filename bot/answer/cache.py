"""The answer engine's index kept on disk, so that a command which answers once and exits
(`briefbot ask`) does not rebuild it from a briefing that has not changed.

Building the index (stemming every snippet and the thousands of reader questions, numbering them,
computing BM25F weights) takes about a quarter of `ask`'s cold start; reading it back takes a few
milliseconds. The key is a hash of the briefing's content (as JSON: two briefings that differ in
anything never share an index), of this package's code and data (lexicon, settings, model) and of
the versions of Python and numpy; one file holds the newest index, in the folder of the verified
briefing's cache ($XDG_CACHE_HOME/briefbot). It is a pickle, read only from that folder, which only
its owner writes: the same trust as the installed code. When it cannot be read or written, or
holds another key, the index is simply built.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np

from bot.answer.index import Index
from bot.answer.lexicon import load_lexicon, load_settings
from bot.briefing.cache import cache_folder
from bot.briefing.models import Briefing

_CODE = Path(__file__).resolve().parent
_FILE = "answer-index.pickle"


def key(briefing: Briefing) -> str:
    digest = hashlib.sha256(f"{sys.version}\0{np.__version__}\0".encode())
    for path in sorted(p for p in _CODE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(_CODE)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(briefing.model_dump_json().encode())
    return digest.hexdigest()


def index_for(briefing: Briefing, folder: Path | None = None) -> Index:
    """The index of `briefing` with the shipped lexicon and settings: read back when this exact
    briefing and code built it last, else built (and kept for next time)."""
    target = (folder or cache_folder()) / _FILE
    wanted = key(briefing)
    try:
        with target.open("rb") as handle:
            if handle.readline().decode().strip() == wanted:
                index = pickle.load(handle)
                if isinstance(index, Index):
                    index.attach(briefing)
                    return index
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        pass  # absent, unreadable or from other code: build it
    index = Index(briefing, load_lexicon(), load_settings())
    _write(target, wanted, index)
    return index


def _write(target: Path, wanted: str, index: Index) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=target.parent, suffix=".tmp", delete=False) as handle:
            handle.write(wanted.encode() + b"\n")
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, target)
    except (OSError, pickle.PicklingError):
        with contextlib.suppress(OSError, NameError):
            os.unlink(handle.name)
