"""The bot token, the database password and interaction tokens never show: not in repr, not in log
lines, not in tracebacks, not in error messages; and the token goes only where the operator sees."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from pydantic import SecretStr

from bot.config import Settings, is_loopback
from bot.errors import redact
from bot.logs import RedactingFormatter, setup_logging
from tests.conftest import PROJECT

TOKEN = "MTIz.secret-token-for-tests.never-shown-4kd9"
PASSWORD = "p@ss-never-shown"
URL = "postgresql+psycopg://briefbot:p%40ss-never-shown@db.internal:5432/briefbot"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, discord_token=SecretStr(TOKEN), database_url=URL, **values)  # type: ignore[call-arg,arg-type]


def test_repr_and_str_show_neither_the_token_nor_the_password() -> None:
    s = settings()
    for text in (repr(s), str(s), str(s.model_dump()), str(s.database_url)):
        assert TOKEN not in text
        assert "p%40ss-never-shown" not in text and PASSWORD not in text
    assert "db.internal" in repr(s)  # where the database is still shows
    assert s.database_url.get_secret_value() == URL
    assert set(s.secrets) == {TOKEN, "p%40ss-never-shown", PASSWORD}


def test_log_lines_and_their_tracebacks_hold_no_secret_and_no_interaction_token() -> None:
    formatter = RedactingFormatter(settings().secrets)
    try:
        raise RuntimeError(f"connect failed for {URL} with Bot {TOKEN}")
    except RuntimeError:
        record = logging.LogRecord("discord.http", logging.ERROR, __file__, 1, "%s", ("boom",), sys.exc_info())
    callback = "POST https://discord.com/api/v10/interactions/1234567890/aW50ZXJhY3Rpb246abc.def/callback"
    webhook = "PATCH https://discord.com/api/v10/webhooks/1234567890/aW50ZXJhY3Rpb246abc.def/messages/@original"
    event = "WebSocket Event: {'t': 'INTERACTION_CREATE', 'd': {'token': 'aW50ZXJhY3Rpb246abc.def', 'id': '1'}}"
    lines = [formatter.format(record)] + [
        formatter.format(logging.LogRecord("discord", logging.DEBUG, __file__, 1, text, (), None))
        for text in (callback, webhook, event)
    ]
    text = "\n".join(lines)
    assert "Traceback" in text  # the traceback is kept, its secrets are not
    for secret in (TOKEN, PASSWORD, "p%40ss-never-shown", "aW50ZXJhY3Rpb246abc.def"):
        assert secret not in text
    assert "/interactions/1234567890/[redacted]/callback" in text


def test_redact_leaves_ordinary_text_alone() -> None:
    assert redact("the token is fine", [TOKEN]) == "the token is fine"


def test_an_unexpected_error_shows_no_traceback_unless_asked_and_no_secret_either_way() -> None:
    bug = (
        "import os, runpy, bot.cli.check as check\n"
        "from bot.config import load_settings\n"
        "def run(args):\n"
        "    load_settings()\n"
        "    raise RuntimeError('a bug holding ' + os.environ['DISCORD_TOKEN'])\n"
        "check.run = run\n"
        "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT), "DISCORD_TOKEN": TOKEN, "DATABASE_URL": URL,
           "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}
    for debug in ([], ["--debug"]):
        proc = subprocess.run([sys.executable, "-c", bug, *debug, "check"], env=env, cwd=PROJECT,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert proc.returncode == 70
        assert TOKEN not in proc.stdout + proc.stderr
        assert "unexpected error: RuntimeError: a bug holding [redacted]" in proc.stderr
        assert ("Traceback" in proc.stderr) == bool(debug), proc.stderr
        if not debug:
            assert len(proc.stderr.strip().splitlines()) == 2


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("localhost", True), ("10.0.0.5", False),
     ("nirn-proxy", False), ("discord.com", False), ("", False), (None, False)],
)  # fmt: skip
def test_what_counts_as_this_machine(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_plain_http_to_another_host_needs_the_opt_in_and_is_logged(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="DISCORD_API_BASE would send the bot token unencrypted to nirn-proxy"):
        settings(discord_api_base="http://nirn-proxy:8080")
    with pytest.raises(ValueError, match="DISCORD_GATEWAY_URL would send"):
        settings(discord_gateway_url="ws://gateway.internal:8080")
    chosen = settings(discord_api_base="http://nirn-proxy:8080", discord_allow_plain_http=True)
    from bot.adapters.discord.run import _prepare

    try:
        _prepare(chosen)
    finally:
        setup_logging("WARNING", [])
        for handler in logging.getLogger().handlers[:]:
            logging.getLogger().removeHandler(handler)
    err = capfd.readouterr().err
    # (the gateway named after it is whichever an earlier test pointed discord.py at)
    assert "the bot token goes to http://nirn-proxy:8080 (REST) and " in err
    assert "WARNING" in err and "plain http to nirn-proxy" in err
    assert TOKEN not in err
