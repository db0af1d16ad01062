"""SLOW (several seconds): `pip install .` into a fresh virtual environment outside the checkout answers.

Offline, as CI runs: the new environment borrows this one's installed dependencies (and pip and
setuptools) through a .pth file, but not briefbot itself, so the package that answers is the copy pip
built from a copy of the project's files, with the briefing and the articles inside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import PROJECT

pytestmark = pytest.mark.slow

# Not part of a source tree: caches, environments, build output, local settings.
_NOT_SOURCE_NAMES = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".env"
)


def _not_source(folder: str, names: list[str]) -> set[str]:
    ignored = set(_NOT_SOURCE_NAMES(folder, names))
    if Path(folder) == PROJECT:
        ignored.add("data")  # the digest database (bot/data/ is the packaged briefing: kept)
    return ignored


def _borrowed_dependencies(into: Path) -> Path:
    """A folder of links to this environment's installed packages, briefbot's own entries left out."""
    into.mkdir()
    for folder in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for entry in Path(folder).iterdir():
            lowered = entry.name.lower()
            if lowered == "bot" or lowered.startswith(("briefbot", "__editable__")) or entry.suffix == ".pth":
                continue
            if not (into / entry.name).exists():
                (into / entry.name).symlink_to(entry)
    return into


def _run(*command: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_pip_install_outside_the_checkout_answers(tmp_path: Path) -> None:
    source = tmp_path / "source"
    # Links are kept as links (bot/data/ points at briefings/ and seeds/), as `docker COPY` keeps them.
    shutil.copytree(PROJECT, source, symlinks=True, ignore=_not_source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                     cwd=tmp_path, env={}).stdout.strip())
    (site / "borrowed.pth").write_text(f"{_borrowed_dependencies(tmp_path / 'deps')}\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "BRIEFING_DIR", "SEEDS_DIR", "VIRTUAL_ENV"}}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    install = _run(python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
                   source, cwd=tmp_path, env=env)
    assert install.returncode == 0, install.stdout + install.stderr
    # Nothing of the checkout is used from here on.
    shutil.rmtree(source)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    where = _run(python, "-c", "import bot.config as c; s = c.Settings(); print(c.__file__); print(s.briefing_dir)",
                 cwd=elsewhere, env=env)
    assert where.returncode == 0, where.stderr
    module, briefings = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(briefings).is_relative_to(venv), where.stdout

    answer = _run(venv / "bin" / "briefbot", "ask", "vostochny", cwd=elsewhere, env=env)
    assert answer.returncode == 0, answer.stderr
    assert "Vostochny Cosmodrome" in answer.stdout
    assert "not covered" not in answer.stdout.lower()

    check = _run(venv / "bin" / "briefbot", "check", "--quiet", cwd=elsewhere, env=env)
    assert check.returncode == 0, check.stderr
    assert check.stdout.rstrip().endswith("ok")
