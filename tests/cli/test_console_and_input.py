"""The console and the CLI as a reader meets them: prompt, help, paging, long and odd input, suggestions."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import select
import shlex
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from bot.adapters.console import CLEAR_LINE, PROMPT, Console, Screen
from bot.router import Router
from tests.conftest import PROJECT, RunBot


def run_bytes(
    *args: bytes | str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m bot ARGS…` with raw bytes in and out."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, cwd=PROJECT, timeout=120, env=env
    )


def replies(stdout: str) -> int:
    """How many replies the console printed: each has its title underlined."""
    return sum(1 for line in stdout.splitlines() if line and set(line) == {"="})


# -- the prompt, while digests arrive --------------------------------------------------------------


def test_a_digest_printed_while_the_reader_types_is_shown_above_a_redrawn_prompt() -> None:
    out = io.StringIO()
    screen = Screen(out)
    screen.typed = lambda: "where did"
    with screen.prompting():
        digest = threading.Thread(target=lambda: print("\nDigest #1\n", file=screen, flush=True))
        digest.start()
        digest.join()
    assert out.getvalue() == f"{CLEAR_LINE}\nDigest #1\n\n{PROMPT}where did"
    # Away from the prompt (a reply being printed), nothing is cleared or redrawn.
    out.truncate(0)
    out.seek(0)
    print("a reply", file=screen, flush=True)
    assert out.getvalue() == "a reply\n"


def test_the_console_s_digests_print_through_its_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from bot.cli.console import build

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'console.db'}")
    console, digests = build(argparse.Namespace(briefings=None, seeds=None))
    assert isinstance(console.screen, Screen)
    assert digests.out is console.out


# -- /help -----------------------------------------------------------------------------------------


def test_console_help_lists_digest_verify_and_quit(run_bot: RunBot, tmp_path: Path) -> None:
    proc = run_bot("console", stdin="/help\n")
    assert proc.returncode == 0, proc.stderr
    for usage in (
        "/digest",
        "/digest subscribe time timezone [weekdays] [topics]",
        "/verify claim",
        "/quit",
        "/reload",
    ):
        assert usage in proc.stdout, usage


# -- paging ----------------------------------------------------------------------------------------


def test_a_reply_longer_than_the_terminal_is_paged(router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINES", "40")
    paged: list[str] = []
    out = io.StringIO()
    console = Console(router, out=out, pager=paged.append)
    console.show(console.respond("/who putin"))
    assert len(paged) == 1 and paged[0].count("\n") > 100 and "Vladimir Putin" in paged[0]
    console.show(console.respond("/who lavrov"))  # shorter than the screen: printed
    assert len(paged) == 1 and "names no one like “lavrov”" in out.getvalue()


def test_without_a_terminal_nothing_is_paged(router: Router) -> None:
    out = io.StringIO()
    console = Console(router, out=out)
    assert console.pager is None
    console.show(console.respond("/timeline"))
    assert out.getvalue().count("\n") > 100


def test_on_a_terminal_the_console_pages_with_the_reader_s_pager(tmp_path: Path) -> None:
    """`briefbot console` on a real terminal (a pty of 24 rows): /who putin goes through $PAGER."""
    paged = tmp_path / "paged.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("MANPAGER", "DISCORD_TOKEN")}
    env.update(PAGER=f"cat > {shlex.quote(str(paged))}", TERM="xterm", DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}")
    env["DIGEST_TICK_SECONDS"] = "0.2"  # the console leaves once its digest thread wakes
    env["XDG_STATE_HOME"] = str(tmp_path)
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console"], stdin=child, stdout=child, stderr=child, cwd=PROJECT, env=env
    )
    os.close(child)
    shown = b""
    try:
        shown += _read_until(main, PROMPT.encode(), 60)
        os.write(main, b"/who putin\n")
        shown += _read_until(main, PROMPT.encode(), 60)
        os.write(main, b"/quit\n")
        process.wait(30)
    finally:
        process.kill()
        os.close(main)
    text = paged.read_text(encoding="utf-8")
    assert "Vladimir Putin" in text and text.count("\n") > 100
    assert b"Vladimir Putin" not in shown  # the terminal got the pager, not 250 lines


def _read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                data += os.read(fd, 65536)
            except OSError:
                break
    assert marker in data, data[-500:]
    return data


# -- long, odd and empty input ---------------------------------------------------------------------


def test_a_10000_character_question_gets_a_clipped_echo(run_bot: RunBot) -> None:
    question = " ".join(f"zorblat{n}" for n in range(1200))[:10_000]
    console = run_bot("console", stdin=question + "\n")
    assert console.returncode == 0, console.stderr
    assert "Not covered by this briefing" in console.stdout
    assert len(console.stdout) < 2_000
    cli = run_bot("ask", question)
    assert cli.returncode == 0 and len(cli.stdout) < 1_500
    assert "…" in cli.stdout  # said to be clipped


def test_a_carriage_return_does_not_split_a_line(run_bot: RunBot) -> None:
    proc = run_bot("console", stdin="where did kim\rand putin meet\n")
    assert replies(proc.stdout) == 1 and "Vostochny" in proc.stdout
    batch = run_bytes("ask", "--batch", "-", stdin=b"where did kim\rand putin meet\r\nvostochny\r\n")
    answers = [json.loads(line) for line in batch.stdout.decode().splitlines()]
    assert [a["query"] for a in answers] == ["where did kim\rand putin meet", "vostochny"]
    assert all(a["answered"] for a in answers)


def test_empty_and_whitespace_questions_are_answered_the_same(run_bot: RunBot) -> None:
    empty, spaces = run_bot("ask", ""), run_bot("ask", "   \t ")
    assert (empty.returncode, empty.stdout, empty.stderr) == (spaces.returncode, spaces.stdout, spaces.stderr)
    assert empty.returncode == 2 and "give a question" in empty.stderr
    console = run_bot("console", stdin="\n   \n\t\n")
    assert replies(console.stdout) == 0
    batch = run_bot("ask", "--batch", "-", stdin="\n   \n")
    first, second = (json.loads(line) for line in batch.stdout.splitlines())
    assert {**first, "query": None} == {**second, "query": None}


def test_invalid_bytes_get_a_clear_error_and_nothing_else_is_lost(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    lines = b"where did they meet\n\xff\xfe kim\nvostochny\n"
    batch = run_bytes("ask", "--batch", "-", stdin=lines, env=env)
    assert batch.returncode == 1
    assert "line 2 is not UTF-8 text (byte 0xff at position 1)" in batch.stderr.decode()
    answers = [json.loads(line) for line in batch.stdout.decode().splitlines()]
    assert [a["answered"] for a in answers] == [True, False, True]
    console = run_bytes("console", stdin=lines, env=env)
    assert console.returncode == 1
    assert "line 2 is not UTF-8 text (byte 0xff at position 1)" in console.stderr.decode()
    assert replies(console.stdout.decode()) == 2  # lines 1 and 3 answered
    argument = run_bytes("ask", b"\xff kim", env=env)
    assert argument.returncode == 2
    assert "not UTF-8 text (byte 0xff at position 1)" in argument.stderr.decode()
    assert b"Traceback" not in batch.stderr + console.stderr + argument.stderr


def test_lines_are_split_at_newlines_only_and_decoded_one_by_one() -> None:
    from bot.adapters.lines import read_lines

    stream = io.BytesIO(b"\xef\xbb\xbfwhere\r\na\rb\n\xffok\n" + b"y" * 50 + b"\xc3\xa9" + b"z" * 10 + b"\nlast")
    lines = list(read_lines(stream, limit=51))
    assert [line.text for line in lines] == ["where", "a\rb", None, "y" * 50, "last"]
    assert lines[2].problem == "line 3 is not UTF-8 text (byte 0xff at position 1); it was skipped"
    assert lines[3].clipped  # cut inside "é": the partial character is dropped, not an error


def test_a_huge_line_is_read_without_holding_it_all(run_bot: RunBot) -> None:
    proc = run_bytes("ask", "--batch", "-", stdin=b"x" * 3_000_000 + b"\nvostochny\n")
    assert proc.returncode == 0, proc.stderr
    first, second = (json.loads(line) for line in proc.stdout.decode().splitlines())
    assert not first["answered"] and second["answered"]


# -- the CLI -------------------------------------------------------------------------------------


def test_export_works_without_json(run_bot: RunBot) -> None:
    plain, flagged = run_bot("export"), run_bot("export", "--json")
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout) == json.loads(flagged.stdout)


def test_the_cli_suggests_only_commands_it_has(run_bot: RunBot) -> None:
    refused = run_bot("ask", "best pizza in naples")
    (tries,) = [line for line in refused.stdout.splitlines() if line.startswith("Try: ")]
    suggested = tries.removeprefix("Try: ").split(" · ")
    assert suggested and all(s.startswith("briefbot ") for s in suggested)
    answered = json.loads(run_bot("ask", "--json", "sanctions").stdout)
    assert answered["suggestions"] and all(s.startswith("briefbot topic ") for s in answered["suggestions"])
    assert "/" not in run_bot("ask", "sanctions").stdout.split("source:")[0].split("Try:")[-1]
    # What it suggests runs.
    followed = run_bot(*shlex.split(answered["suggestions"][0])[1:])
    assert followed.returncode == 0, followed.stderr
    assert "Sanctions and the UN" in followed.stdout.splitlines()[0]
    assert "sources: briefbot sources" in followed.stdout


def test_the_cli_speaks_the_reader_commands(run_bot: RunBot) -> None:
    who = run_bot("who", "Choe", "Sun", "Hui")
    assert who.returncode == 0 and who.stdout.startswith("Choe Sun")
    assert run_bot("timeline").stdout.startswith("Timeline")
    verify = run_bot("verify", "Kim and Putin met at the Vostochny Cosmodrome.")
    assert verify.returncode == 0 and "Briefing: " in verify.stdout and "source: [a" in verify.stdout
    piped = run_bot("verify", "-", stdin="Kim and Putin met at the Vostochny Cosmodrome.\nPineapple is tasty.\n")
    assert "The briefing speaks to 1 of 2 sentences." in piped.stdout


def test_what_a_refusal_suggests_on_the_cli_runs(run_bot: RunBot) -> None:
    refused = run_bot("topic", "cooking")
    assert refused.returncode == 1
    (tries,) = [line for line in refused.stdout.splitlines() if line.startswith("Try: ")]
    assert tries == "Try: briefbot topic"
    topics = run_bot("topic")
    assert topics.returncode == 0 and topics.stdout.startswith("Topics") and "Sanctions and the UN" in topics.stdout


def test_who_suggests_only_close_names(run_bot: RunBot, router: Router) -> None:
    lavrov = router.handle("who", "lavrov")
    assert lavrov.suggestions == ()
    assert router.handle("who", "peskof x").suggestions == ()
    assert router.handle("who", "Jo Chun").suggestions[0] == "/who Jo Chun-ryong"
    proc = run_bot("who", "lavrov")
    assert proc.returncode == 1 and "Try:" not in proc.stdout and "Kozlov" not in proc.stdout
