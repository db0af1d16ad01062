"""The verified-briefing cache: a command that only answers reuses the briefing verified from the same
files, and any change to them (or to the loader) means a full load; a broken briefing is never kept."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.briefing import cache
from bot.cli.common import briefing_or_exit
from tests.conftest import PROJECT


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copytree(PROJECT / "briefings", tmp_path / "briefings")
    shutil.copytree(PROJECT / "seeds", tmp_path / "seeds")
    return tmp_path


def args_for(root: Path) -> argparse.Namespace:
    return argparse.Namespace(briefings=str(root / "briefings"), seeds=str(root / "seeds"))


def test_the_second_load_comes_from_the_cache_and_equals_the_first(copy: Path) -> None:
    first = briefing_or_exit(args_for(copy))
    assert list((copy / "cache" / "briefbot").glob("briefing-*.json"))
    key = cache.key(copy / "briefings", copy / "seeds")
    assert cache.read(copy / "briefings", copy / "seeds", key) == first
    assert briefing_or_exit(args_for(copy)) == first


def test_an_edited_file_is_loaded_again(copy: Path) -> None:
    before = briefing_or_exit(args_for(copy))
    meeting = copy / "briefings" / "snippets" / "meeting.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("Cosmodrome", "Cosmodrome ", 1), encoding="utf-8")
    after = briefing_or_exit(args_for(copy))
    assert after.version != before.version


def test_a_broken_briefing_is_refused_every_time_never_served_from_the_cache(copy: Path) -> None:
    briefing_or_exit(args_for(copy))  # cached while valid
    arms = copy / "briefings" / "snippets" / "arms.yaml"
    arms.write_text(arms.read_text(encoding="utf-8").replace("article: a1", "article: a9", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SystemExit):
            briefing_or_exit(args_for(copy))


def test_a_cache_that_cannot_be_written_or_read_changes_nothing(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (copy / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(copy / "not-a-folder"))
    assert briefing_or_exit(args_for(copy)).snippets
    monkeypatch.setenv("XDG_CACHE_HOME", str(copy / "cache"))
    briefing_or_exit(args_for(copy))
    (stored,) = (copy / "cache" / "briefbot").glob("briefing-*.json")
    stored.write_bytes(stored.read_bytes()[:1000])  # cut short
    assert briefing_or_exit(args_for(copy)).snippets


def test_a_cached_ask_does_not_import_the_loader(copy: Path) -> None:
    script = (
        "import contextlib, io, sys\nfrom bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(sys.argv[1:])\n"
        "print('bot.briefing.load' in sys.modules, 'bot.briefing.certainty' in sys.modules)"
    )
    argv = ["--briefings", str(copy / "briefings"), "--seeds", str(copy / "seeds"), "ask", "vostochny"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT), "XDG_CACHE_HOME": str(copy / "cache")}
    runs = [subprocess.run([sys.executable, "-c", script, *argv], env=env, capture_output=True, text=True,
                           timeout=60).stdout.split() for _ in range(2)]  # fmt: skip
    assert runs == [["True", "True"], ["False", "False"]]


def test_the_answer_index_is_read_back_for_the_same_briefing_and_built_for_another(copy: Path) -> None:
    from bot.answer import cache as index_cache
    from bot.answer.engine import Engine

    briefing = briefing_or_exit(args_for(copy))
    built = Engine(briefing, cached=True)
    kept = copy / "cache" / "briefbot" / "answer-index.pickle"
    assert kept.is_file()
    again = Engine(briefing, cached=True)
    question = "who was the foreign minister travelling with kim"
    assert again.ask(question) == built.ask(question) == Engine(briefing).ask(question)
    # The briefing is not kept twice: the index read back holds the very snippets it was given.
    assert again.index.snippets is briefing.snippets and again.index.briefing is briefing
    # The same version string, other content (no reader questions): never the index kept for the first.
    other = briefing.model_copy(update={"asks": ()})
    assert index_cache.key(other) != index_cache.key(briefing)
    assert Engine(other, cached=True).index.asks == {}


def test_a_damaged_answer_index_is_built_again(copy: Path) -> None:
    from bot.answer.engine import Engine

    briefing = briefing_or_exit(args_for(copy))
    Engine(briefing, cached=True)
    kept = copy / "cache" / "briefbot" / "answer-index.pickle"
    head = kept.read_bytes().partition(b"\n")[0]
    kept.write_bytes(head + b"\nnot a pickle")
    assert Engine(briefing, cached=True).ask("where did they meet").answered
    assert kept.read_bytes() != head + b"\nnot a pickle"
