"""Broken briefings: each one mistake a curator (or a disk) can make, and what `check` must say.

Used by tests/briefing/test_broken_briefings.py, and runnable to print figures, also against another
checkout of briefbot (to compare with older code):

    python -m tests.briefing.broken                      # this checkout
    python -m tests.briefing.broken --code /tmp/old-briefbot
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import MINI_FILES, PROJECT

# A hang is a failure too: every case must be answered within this many seconds.
DEADLINE_SECONDS = 30

MEETING = "briefings/snippets/meeting.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    # The file the error must name (relative to the project root), and the line when there is one.
    file: str
    line: int | None
    # A fragment of the message.
    says: str
    # Reading a file root can read anyway cannot be tested as root.
    needs_non_root: bool = False


def write_mini(root: Path) -> None:
    for name, content in MINI_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")


def put(name: str, content: str | bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return make


def change(name: str, old: str, new: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"fixture changed: {old!r} not once in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return make


def remove(name: str) -> Callable[[Path], None]:
    return lambda root: shutil.rmtree(root / name)


def folder_as_file(root: Path) -> None:
    (root / "briefings/snippets/extra.yaml").mkdir()


def dangling_link(root: Path) -> None:
    (root / "briefings/snippets/link.yaml").symlink_to(root / "nowhere.yaml")


def named_pipe(root: Path) -> None:
    os.mkfifo(root / "briefings/snippets/pipe.yaml")


def unreadable(root: Path) -> None:
    (root / MEETING).chmod(0)


def huge_file(root: Path) -> None:
    padding = "# padding\n" * (5 * 1024 * 1024 // 10 + 1)
    (root / MEETING).write_text(textwrap.dedent(MINI_FILES[MEETING]) + padding, encoding="utf-8")


ONE_SNIPPET = """\
  - id: meeting-copy-{n}
    topic: meeting
    title: They met on Wednesday, copy {n}
    text: The leaders met at a spaceport on Wednesday (copy {n}, to make the file big).
    certainty: confirmed
    entities: [{entity}]
    terms: [a, list, of, search, terms, long, enough, to, weigh, something, in, the, file]
    sources:
      - article: m0
        quote: The leaders met on Wednesday at a spaceport.
"""


def big_file_one_bad_entry(root: Path) -> None:
    """Just under the size limit, thousands of good snippets and one bad reference at the end."""
    parts = ["snippets:\n"]
    size, n = 10, 0
    while size < 4 * 1024 * 1024 - 2_000:
        part = ONE_SNIPPET.format(n=n, entity="officials")
        parts.append(part)
        size += len(part)
        n += 1
    parts.append(ONE_SNIPPET.format(n=n, entity="nobody-known"))
    (root / "briefings/snippets/big.yaml").write_text("".join(parts), encoding="utf-8")


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)

CASES: list[Case] = [
    Case("briefing-yaml-holds-a-list", put("briefings/briefing.yaml", "- version\n- title\n"),
         "briefings/briefing.yaml", None, "found a list"),
    Case("briefing-yaml-holds-a-string", put("briefings/briefing.yaml", "The Kim-Putin summit\n"),
         "briefings/briefing.yaml", None, "found text"),
    Case("briefing-yaml-is-empty", put("briefings/briefing.yaml", ""),
         "briefings/briefing.yaml", None, "empty"),
    Case("snippet-file-not-utf8",
         put(MEETING, textwrap.dedent(MINI_FILES[MEETING]).replace("They met", "Caf\u00e9").encode("latin-1")),
         MEETING, 4, "not UTF-8"),
    Case("snippet-file-empty", put(MEETING, ""), MEETING, None, "empty: expected a mapping with a 'snippets:' list"),
    Case("snippet-file-only-comments", put(MEETING, "# nothing here yet\n"), MEETING, None, "empty"),
    Case("duplicate-key", change(MEETING, "    title: They met on Wednesday\n",
                                 "    title: They met on Wednesday\n    title: They met again\n"),
         MEETING, 5, "key 'title' is written twice (first on line 4)"),
    Case("snippets-is-a-mapping", put(MEETING, "snippets:\n  meeting-wednesday: {}\n"),
         MEETING, 1, "'snippets' must be a list, found a mapping"),
    Case("snippet-is-a-string", put(MEETING, "snippets:\n  - The leaders met.\n"),
         MEETING, None, "[item #1] item: Input should be a valid dictionary"),
    Case("entities-is-a-string", change(MEETING, "entities: [officials]", "entities: officials"),
         MEETING, 2, "entities: Input should be a valid tuple"),
    Case("order-is-not-a-number", put("briefings/timeline.yaml", textwrap.dedent("""\
            events:
              - id: the-meeting
                when: Wednesday
                order: soon
                text: The leaders met.
                certainty: confirmed
                sources: [{article: m0, quote: The leaders met on Wednesday at a spaceport.}]
            """)), "briefings/timeline.yaml", 2, "order: Input should be a valid integer"),
    Case("brief-is-a-string", change("briefings/briefing.yaml", "brief: [meeting-wednesday]",
                                     "brief: meeting-wednesday"),
         "briefings/briefing.yaml", 1, "brief: Input should be a valid list"),
    Case("topics-is-a-mapping", change("briefings/briefing.yaml", "  - {id: meeting,", "  meeting: {id: meeting,"),
         "briefings/briefing.yaml", 1, "topics: Input should be a valid list"),
    Case("key-is-a-list", put("briefings/entities.yaml", "? [a, b]\n: c\n"),
         "briefings/entities.yaml", 1, "found unhashable key"),
    Case("huge-file", huge_file, MEETING, None, "file too large"),
    Case("big-file-one-bad-entry", big_file_one_bad_entry, "briefings/snippets/big.yaml", None,
         "unknown entity 'nobody-known'"),
    Case("folder-named-like-a-file", folder_as_file, "briefings/snippets/extra.yaml", None, "cannot read: a folder"),
    Case("dangling-link", dangling_link, "briefings/snippets/link.yaml", None, "not a regular file"),
    Case("named-pipe", named_pipe, "briefings/snippets/pipe.yaml", None, "not a regular file"),
    Case("unreadable-file", unreadable, MEETING, None, "cannot read: Permission denied", needs_non_root=True),
    Case("briefings-folder-missing", remove("briefings"), "briefings", None, "the briefing folder does not exist"),
    Case("seeds-folder-missing", remove("seeds"), "seeds", None, "the articles folder does not exist"),
    Case("snippets-folder-missing", remove("briefings/snippets"), "briefings/snippets", None, "no snippet files"),
    Case("timeline-missing", lambda root: (root / "briefings/timeline.yaml").unlink(),
         "briefings/timeline.yaml", None, "missing"),
    Case("article-not-utf8", put("seeds/000_mini.txt", b"Page header\nThe leaders met \xff on Wednesday.\n"),
         "seeds/000_mini.txt", 2, "not UTF-8"),
    Case("metadata-holds-a-list", put("seeds/000_mini.yaml", "- m0\n- 000_mini.txt\n"),
         "seeds/000_mini.yaml", None, "found a list"),
    Case("metadata-points-outside-seeds", change("seeds/000_mini.yaml", "file: 000_mini.txt",
                                                 "file: ../briefings/briefing.yaml"),
         "seeds/000_mini.yaml", None, "must be a file name in seeds/"),
    Case("date-not-quoted", change("seeds/000_mini.yaml", "date: unknown", "date: 2023-09-13"),
         "seeds/000_mini.yaml", 1, "date: Input should be a valid string"),
    Case("alias-bomb", put("briefings/entities.yaml", BILLION_LAUGHS + "entities: *j\n"),
         "briefings/entities.yaml", 1, "anchors and aliases"),
    Case("merge-key",
         change(MEETING, "    topic: meeting\n    title: They met", "    <<: {topic: meeting}\n    title: They met"),
         MEETING, 3, "merge keys (<<) are not supported"),
    Case("two-documents", put(MEETING, "snippets: []\n---\nsnippets: []\n"), MEETING, 2, "expected a single document"),
    Case("tab-indentation", put(MEETING, "snippets:\n\t- id: x\n"), MEETING, 2, "YAML syntax error"),
    Case("nul-byte", put("briefings/entities.yaml", "entities: []\n\x00\n"),
         "briefings/entities.yaml", None, "unacceptable character"),
    Case("nested-too-deeply", put(MEETING, "snippets: " + "[" * 10_000 + "]" * 10_000 + "\n"),
         MEETING, 1, "YAML syntax error"),
    Case("quote-card-of-reported-speech", put("briefings/quotes.yaml", textwrap.dedent("""\
            quotes:
              - id: talks-went-well
                speaker: officials
                role: Unnamed officials
                topic: meeting
                context: How the talks went.
                words: the talks went well
                source: {article: m0, quote: Officials said the talks went well.}
            """)), "briefings/quotes.yaml", 2, "put no words in quotation marks"),
    Case("text-copies-with-a-word-changed",
         change(MEETING, "text: Officials described the talks as going well.",
                "text: Analysts doubt that U.N. sanctions will stop any deal."),
         MEETING, 11, "with only 1 of its 10 words changed"),
]


@dataclass(frozen=True)
class Outcome:
    case: Case
    returncode: int | None
    seconds: float
    output: str

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.output

    @property
    def names_file(self) -> bool:
        where = f"{self.case.file}:{self.case.line}:" if self.case.line else f"{self.case.file}:"
        return any(line.startswith(f"error: {where}") for line in self.output.splitlines())

    @property
    def clean(self) -> bool:
        """Non-zero exit, a message naming the file (and line) and saying what is wrong, no traceback."""
        return (
            self.returncode not in (0, None)
            and not self.traceback
            and self.names_file
            and self.case.says in self.output
            and "unexpected error" not in self.output
        )


def run_case(case: Case, workdir: Path, code: Path = PROJECT) -> Outcome:
    root = workdir / case.name
    root.mkdir()
    write_mini(root)
    case.make(root)
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    command = [sys.executable, "-m", "bot", "--briefings", str(root / "briefings"), "--seeds", str(root / "seeds")]
    try:
        proc = subprocess.run(
            [*command, "check", "--quiet"],
            capture_output=True,
            text=True,
            errors="replace",
            cwd=code,
            env=env,
            timeout=DEADLINE_SECONDS,
        )
        returncode, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        returncode, output = None, f"timed out after {DEADLINE_SECONDS} s: {exc.stderr!r}"
    return Outcome(case, returncode, time.perf_counter() - started, output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=PROJECT, help="the briefbot checkout whose `check` runs")
    args = parser.parse_args()
    cases = [c for c in CASES if not (c.needs_non_root and os.geteuid() == 0)]
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = [run_case(case, Path(tmp), args.code.resolve()) for case in cases]
    for o in outcomes:
        verdict = "clean" if o.clean else ("TRACEBACK" if o.traceback else "not clean")
        print(f"{o.case.name:32} exit {o.returncode!s:>4}  {o.seconds:6.2f} s  {verdict}")
    clean = sum(o.clean for o in outcomes)
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(f"{clean}/{len(outcomes)} exit non-zero with a clean message naming the file; "
          f"slowest {slowest.seconds:.2f} s ({slowest.case.name})")
    return 0 if clean == len(outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
