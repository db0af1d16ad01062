"""Operator and user mistakes: each one thing a person can get wrong, and what briefbot must say.

Used by tests/ops/test_mistakes.py, and runnable to print the table (message and exit status of
each), also against another copy of briefbot to compare with older code:

    python -m tests.ops.mistakes                     # this checkout
    python -m tests.ops.mistakes --code /tmp/old     # another copy

Every run carries a bot token and a database password in its environment, so that any output
holding them is caught. "No network" is simulated inside the process (name resolution or
connecting fails as it does without a route), so no packet leaves the machine; everything else
that answers is a fake Discord on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import re
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import PROJECT
from tests.fakediscord.server import FakeDiscord

TOKEN = "MTIz.secret-token-for-mistakes.never-shown-9fk2"
PASSWORD = "pw-never-shown-7781"
# A log line (bot/logs.py's format): progress before the message, not part of it.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING) ")
DEADLINE_SECONDS = 60

# Inside the briefbot process: name resolution fails, or connecting finds no route, as without a network.
NO_DNS = """
import socket
def _no_dns(*args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
socket.getaddrinfo = _no_dns
"""
NO_ROUTE = """
import errno, socket, asyncio.selector_events as events
def _resolve(host, port, *args, **kwargs):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", port or 443))]
async def _no_route(self, sock, address):
    raise OSError(errno.ENETUNREACH, "Network is unreachable")
socket.getaddrinfo = _resolve
events.BaseSelectorEventLoop.sock_connect = _no_route
"""


@dataclass
class World:
    """What a case runs against: a folder of its own, a fake Discord, ports nothing listens on."""

    folder: Path
    fake: FakeDiscord
    refusing: FakeDiscord  # answers every REST call with 401, as Discord does for a revoked token
    closed_port: int
    busy_port: int

    @property
    def unreachable_database(self) -> str:
        return f"postgresql+psycopg://briefbot:{PASSWORD}@127.0.0.1:{self.closed_port}/briefbot"

    def sqlite(self, name: str = "digests.db") -> str:
        return f"sqlite:///{self.folder / name}"

    def discord(self, fake: FakeDiscord | None = None) -> dict[str, str]:
        fake = fake or self.fake
        return {"DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url}


Env = Callable[[World], dict[str, str]]


@dataclass(frozen=True)
class Mistake:
    name: str
    args: tuple[str | bytes, ...]
    # A fragment of the message: it names the setting, file or input.
    says: str
    env: Env = lambda world: {}
    stdin: bytes | None = None
    # Files the case writes into its folder first (name → bytes); the run's working folder is that folder.
    files: dict[str, bytes] = field(default_factory=dict)
    # Python run in the process before briefbot (to take the network away).
    prelude: str = ""


def _setting(name: str, value: str, says: str, *args: str) -> Mistake:
    return Mistake(f"{name}={value}", args or ("run",), says, lambda world: {name: value})


MISTAKES: tuple[Mistake, ...] = (
    # -- each setting, a bad value -----------------------------------------------------------------
    Mistake("DISCORD_TOKEN with 'Bot ' in front", ("run",), "remove the 'Bot '",
            lambda world: {"DISCORD_TOKEN": f"Bot {TOKEN}"}),
    Mistake("DISCORD_TOKEN pasted with a space and quotes", ("run",), "DISCORD_TOKEN",
            lambda world: {"DISCORD_TOKEN": f'"{TOKEN} x"'}),
    _setting("DEV_GUILD_ID", "my-server", "DEV_GUILD_ID='my-server'"),
    _setting("DISCORD_API_BASE", "discord.com/api", "DISCORD_API_BASE='discord.com/api'"),
    _setting("DISCORD_API_BASE", "http://proxy.example.net:8080", "would send the bot token unencrypted"),
    _setting("DISCORD_GATEWAY_URL", "https://gateway.discord.gg", "DISCORD_GATEWAY_URL"),
    _setting("DISCORD_ALLOW_PLAIN_HTTP", "maybe", "DISCORD_ALLOW_PLAIN_HTTP='maybe'"),
    _setting("SHARD_COUNT", "0", "SHARD_COUNT='0'"),
    Mistake("SHARD_IDS without SHARD_COUNT", ("run",), "SHARD_IDS needs SHARD_COUNT",
            lambda world: {"SHARD_IDS": "0,1"}),
    Mistake("SHARD_IDS beyond SHARD_COUNT", ("run",), "SHARD_IDS must be between 0 and",
            lambda world: {"SHARD_COUNT": "2", "SHARD_IDS": "1,2"}),
    _setting("OWNER_IDS", "alice", "OWNER_IDS='alice'"),
    _setting("COOLDOWN_RATE", "0", "COOLDOWN_RATE='0'"),
    _setting("COOLDOWN_SECONDS", "half a minute", "COOLDOWN_SECONDS"),
    _setting("VIEW_TIMEOUT", "3600", "VIEW_TIMEOUT='3600'"),
    Mistake("DATABASE_URL of an unsupported database", ("run",), "DATABASE_URL",
            lambda world: {"DATABASE_URL": f"mysql://briefbot:{PASSWORD}@db/briefbot"}),
    _setting("DIGEST_TICK_SECONDS", "0", "DIGEST_TICK_SECONDS='0'"),
    _setting("DIGEST_GRACE_MINUTES", "-5", "DIGEST_GRACE_MINUTES='-5'"),
    _setting("DIGEST_RATE_PER_SECOND", "60", "DIGEST_RATE_PER_SECOND='60'"),
    _setting("DIGEST_SENDERS", "many", "DIGEST_SENDERS='many'"),
    _setting("DIGEST_SEND_TIMEOUT", "0", "DIGEST_SEND_TIMEOUT='0'"),
    _setting("DIGEST_LEASE_SECONDS", "6", "DIGEST_LEASE_SECONDS must be more than twice DIGEST_SEND_TIMEOUT"),
    _setting("DIGEST_NONCE_WINDOW_SECONDS", "-1", "DIGEST_NONCE_WINDOW_SECONDS='-1'"),
    _setting("LOG_LEVEL", "verbose", "LOG_LEVEL='verbose'"),
    _setting("BRIEFING_DIR", "/nonexistent/briefings", "BRIEFING_DIR: /nonexistent/briefings does not exist",
             "ask", "vostochny"),
    _setting("SEEDS_DIR", "/nonexistent/seeds", "SEEDS_DIR: /nonexistent/seeds does not exist", "export", "--json"),
    _setting("HTTP_ADDRESS", "localhost", "HTTP_ADDRESS='localhost'"),
    Mistake("HTTP_ADDRESS on a port already in use", ("run",), "cannot listen there",
            lambda world: {**world.discord(), "HTTP_ADDRESS": f"127.0.0.1:{world.busy_port}"}),
    # -- the token and Discord -----------------------------------------------------------------------
    Mistake("no DISCORD_TOKEN for sync", ("sync",), "set DISCORD_TOKEN first", lambda world: {"DISCORD_TOKEN": ""}),
    Mistake("invalid or revoked token (Discord answers 401)", ("run",), "Discord refused DISCORD_TOKEN",
            lambda world: {**world.discord(world.refusing), "LOG_LEVEL": "DEBUG"}),
    Mistake("no network: DNS fails for discord.com", ("run",), "DNS lookup failed", prelude=NO_DNS),
    Mistake("no network: no route to Discord", ("run",), "network is unreachable", prelude=NO_ROUTE),
    Mistake("DISCORD_API_BASE refuses connections", ("run",), "connection refused",
            lambda world: {"DISCORD_API_BASE": f"http://127.0.0.1:{world.closed_port}", "LOG_LEVEL": "DEBUG"}),
    Mistake("the gateway cannot be reached", ("run",), "cannot reach Discord's gateway",
            lambda world: {**world.discord(), "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{world.closed_port}/gateway",
                           "DATABASE_URL": world.sqlite()}),
    Mistake("DEV_GUILD_ID of a server the bot is not in", ("run",), "Discord refused to sync the commands there",
            lambda world: {**world.discord(), "DEV_GUILD_ID": "123456789012345678", "DATABASE_URL": world.sqlite()}),
    # -- the database ----------------------------------------------------------------------------------
    Mistake("PostgreSQL unreachable (migrate)", ("migrate",), "cannot be used"),
    Mistake("PostgreSQL unreachable (run)", ("run",), "cannot be used", lambda world: world.discord()),
    Mistake("data folder cannot be written", ("migrate",), "cannot create the database's folder",
            lambda world: {"DATABASE_URL": f"sqlite:///{world.folder / 'a-file' / 'briefbot.db'}"},
            files={"a-file": b"not a folder\n"}),
    # -- files and input --------------------------------------------------------------------------------
    Mistake("--batch file missing", ("ask", "--json", "--batch", "questions.txt"), "questions.txt: no such file"),
    Mistake("--batch names a folder", ("ask", "--json", "--batch", "."), "is a folder"),
    Mistake("--batch file not UTF-8", ("ask", "--json", "--batch", "latin1.txt"), "latin1.txt: line 2 is not UTF-8",
            files={"latin1.txt": "where did they meet\nwhat did Peskov say, caf\xe9?\n".encode("latin-1")}),
    Mistake("invalid bytes on stdin (ask --batch -)", ("ask", "--json", "--batch", "-"),
            "standard input: line 1 is not",
            stdin=b"vostochny \xff\xfe\n"),
    Mistake("invalid bytes on stdin (console)", ("console",), "standard input: line 1 is not UTF-8",
            lambda world: {"DATABASE_URL": world.sqlite(), "DISCORD_TOKEN": ""}, stdin=b"/who \xff\n"),
    Mistake("a question argument that is not UTF-8", ("ask", b"caf\xe9"), "the question is not UTF-8"),
    Mistake(".env not UTF-8", ("check", "--quiet"), ".env is not UTF-8",
            files={".env": "DEV_GUILD_ID=1\n# r\xe9sum\xe9\n".encode("latin-1")}),
    Mistake("--briefings folder missing", ("--briefings", "nowhere", "ask", "vostochny"), "--briefings: nowhere"),
    Mistake("a sub-command misspelt", ("asks", "where did they meet"), "invalid choice: 'asks'"),
)


@dataclass
class Outcome:
    mistake: Mistake
    returncode: int | None
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def message(self) -> list[str]:
        """What the person is told: the lines on stderr that are not log lines."""
        return [line for line in self.stderr.splitlines() if line.strip() and not LOG_LINE.match(line)]

    @property
    def ends_with_message(self) -> bool:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return bool(lines) and not LOG_LINE.match(lines[-1])

    @property
    def leaked(self) -> list[str]:
        return [secret for secret in (TOKEN, PASSWORD) if secret in self.output]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_env(world: World) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "DEV_GUILD", "SHARD_", "BRIEFBOT_", "DIGEST_", "HTTP_"))
        and k not in {"DATABASE_URL", "LOG_LEVEL", "BRIEFING_DIR", "SEEDS_DIR", "OWNER_IDS", "PYTHONPATH"}
    }
    env.update(DISCORD_TOKEN=TOKEN, DATABASE_URL=world.unreachable_database)
    return env


async def run_mistake(mistake: Mistake, world: World, code: Path = PROJECT) -> Outcome:
    folder = world.folder / re.sub(r"\W+", "-", mistake.name).strip("-")
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in mistake.files.items():
        (folder / name).write_bytes(content)
    env = {**base_env(world), **mistake.env(dataclasses.replace(world, folder=folder)), "PYTHONPATH": str(code)}
    env = {k: v for k, v in env.items() if v != ""}
    command: list[str | bytes] = [sys.executable]
    if mistake.prelude:
        start = "import runpy; runpy.run_module('bot', run_name='__main__', alter_sys=True)"
        command += ["-c", f"{mistake.prelude}\n{start}"]
    else:
        command += ["-m", "bot"]
    process = await asyncio.create_subprocess_exec(
        *command, *mistake.args, cwd=folder, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    returncode: int | None
    try:
        out, err = await asyncio.wait_for(process.communicate(mistake.stdin or b""), DEADLINE_SECONDS)
        returncode = process.returncode
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        err += f"\n(no end within {DEADLINE_SECONDS} s)".encode()
        returncode = None
    return Outcome(mistake, returncode, out.decode(errors="replace"), err.decode(errors="replace"))


class Fixtures:
    """The fakes and ports a run of mistakes needs, started and stopped together."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fake = FakeDiscord()
        self.refusing = FakeDiscord(token="a-token-the-fake-accepts")
        self.busy = socket.socket()

    async def __aenter__(self) -> World:
        await self.fake.start()
        await self.refusing.start()
        self.busy.bind(("127.0.0.1", 0))
        self.busy.listen()
        # The bot is in no guild of that id: syncing there gets Discord's 403.
        self.fake.fail_next("PUT", r"/guilds/123456789012345678/commands", status=403, times=100)
        return World(self.folder, self.fake, self.refusing, closed_port(), self.busy.getsockname()[1])

    async def __aexit__(self, *_: object) -> None:
        self.busy.close()
        await self.fake.stop()
        await self.refusing.stop()


async def _table(code: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        async with Fixtures(Path(tmp)) as world:
            outcomes = [await run_mistake(m, world, code) for m in MISTAKES]
    print("| # | mistake | exit | what briefbot says |\n| --- | --- | --- | --- |")
    for number, o in enumerate(outcomes, 1):
        told = " / ".join(o.message).replace("|", "\\|")
        print(f"| {number} | {o.mistake.name} | {o.returncode} | {told} |")
    bad = [o for o in outcomes if o.returncode in (0, None) or o.leaked or "Traceback" in o.output]
    print(f"\n{len(outcomes) - len(bad)}/{len(outcomes)} clean (exit ≠ 0, no traceback, no secret)")
    return 0 if not bad else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=PROJECT, help="the briefbot copy to run")
    return asyncio.run(_table(parser.parse_args().code.resolve()))


if __name__ == "__main__":
    raise SystemExit(main())
