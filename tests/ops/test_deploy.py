"""Deployment without Docker: compose.yaml is checked against the Compose Specification's schema and
against what briefbot expects; the Dockerfile's entry point, health check and environment are run
here as the image would run them, against the fake Discord; /healthz and /metrics answer in-process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shlex
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
import yaml

from bot.adapters.discord.status import StatusServer, digest_figures
from bot.briefing.models import Briefing
from bot.config import Settings
from bot.metrics import Metrics
from tests.conftest import PROJECT
from tests.discord.conftest import TOKEN, interact, running, settings_for
from tests.discord.test_digest_crash import due_subscriptions
from tests.fakediscord.server import FakeDiscord

COMPOSE = PROJECT / "compose.yaml"
DOCKERFILE = PROJECT / "Dockerfile"
SCHEMA = Path(__file__).parent / "compose-spec" / "compose-spec.json"
BOT_SERVICES = ("bot", "migrate", "bot-shard-0", "bot-shard-1")
# What compose would put in for ${NAME:?message} when .env gives the secrets.
_VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")
_GIVEN = {"DISCORD_TOKEN": "MTIz.compose-token.x", "POSTGRES_PASSWORD": "compose-password"}


def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def interpolated(value: str) -> str:
    return _VARIABLE.sub(lambda m: _GIVEN[m[1]], value)


def service_settings(service: dict[str, Any]) -> Settings:
    environment = {name.lower(): interpolated(str(value)) for name, value in service["environment"].items()}
    return Settings(_env_file=None, **environment)


# -- compose.yaml --------------------------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    problems = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(
        compose())]  # fmt: skip
    assert problems == []


def test_compose_runs_the_bot_on_postgresql_after_migrating_with_health_checks() -> None:
    services = compose()["services"]
    postgres, migrate, bot = services["postgres"], services["migrate"], services["bot"]
    assert postgres["image"].startswith("postgres:")
    assert any(v.endswith(":/var/lib/postgresql/data") and not v.startswith(("/", ".")) for v in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert bot["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "profiles" not in bot and "profiles" not in postgres  # `docker compose up` starts them
    settings = service_settings(bot)
    assert settings.database_url.get_secret_value().startswith("postgresql+psycopg://briefbot:compose-password@postgres")
    assert settings.http_address and settings.http_address.endswith(":8080")
    assert postgres["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_every_bot_service_passes_briefbot_s_own_settings_check() -> None:
    services = compose()["services"]
    fields = {str(f.validation_alias or name).upper() for name, f in Settings.model_fields.items()}
    for name in BOT_SERVICES:
        assert set(services[name]["environment"]) <= fields, name
        service_settings(services[name])  # raises on a value briefbot would refuse at start


def test_the_sharded_profile_splits_the_shards_and_shares_one_rate_limit_proxy() -> None:
    services = compose()["services"]
    proxy = services["nirn-proxy"]
    assert re.fullmatch(r"ghcr\.io/germanoeich/nirn-proxy:v\d+\.\d+\.\d+", proxy["image"])
    assert proxy["profiles"] == ["sharded"]
    shards = [s for name, s in services.items() if name.startswith("bot-shard-")]
    assert len(shards) == 2 and all(s["profiles"] == ["sharded"] for s in shards)
    settings = [service_settings(s) for s in shards]
    count = {s.shard_count for s in settings}
    assert count == {2}
    assert sorted(i for s in settings for i in s.shard_ids or []) == [0, 1]
    port = proxy["environment"]["PORT"]
    assert {s.api_base for s in settings} == {f"http://nirn-proxy:{port}/api/v10"}
    assert all(s.discord_allow_plain_http for s in settings)
    assert all(s.database_url == settings[0].database_url for s in settings)
    assert all(shard["depends_on"]["nirn-proxy"] == {"condition": "service_started"} for shard in shards)


# -- the Dockerfile -----------------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last:]


def exec_form(value: str) -> list[str]:
    parsed = json.loads(value)
    assert isinstance(parsed, list)
    return [str(part) for part in parsed]


def image_environment() -> dict[str, str]:
    env: dict[str, str] = {}
    for op, value in final_stage():
        if op == "ENV":
            env.update(part.split("=", 1) for part in shlex.split(value))  # type: ignore[misc]
    return env


def test_the_image_is_slim_runs_as_a_user_and_checks_its_health() -> None:
    stage = final_stage()
    assert re.fullmatch(r"python:3\.\d+-slim(-\w+)?", stage[0][1])
    users = [value for op, value in stage if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    (health,) = [value for op, value in stage if op == "HEALTHCHECK"]
    assert exec_form(health.split("CMD", 1)[1].strip()) == ["briefbot", "health"]
    env = image_environment()
    assert env["DATABASE_URL"].startswith("sqlite:////data/")
    assert any(op == "VOLUME" and "/data" in value for op, value in stage)
    assert env["HTTP_ADDRESS"].startswith("0.0.0.0:")
    copied = " ".join(value for op, value in instructions() if op == "COPY")
    assert all(folder in copied for folder in ("briefings", "seeds", "bot"))
    ignored = (PROJECT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and ".git" in ignored  # no secrets, no history baked in


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def briefbot(command: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    """`command` as the image runs it: `briefbot` is this environment's console script."""
    executable = Path(sys.executable).parent / command[0]
    return await asyncio.create_subprocess_exec(
        str(executable), *command[1:], cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def health(env: dict[str, str]) -> tuple[int, str]:
    (value,) = [v for op, v in final_stage() if op == "HEALTHCHECK"]
    process = await briefbot(exec_form(value.split("CMD", 1)[1].strip()), env)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, (out + err).decode()


async def test_the_image_s_command_serves_health_and_metrics_and_stops_cleanly(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    steps = final_stage()
    entrypoint, cmd = (next(v for op, v in steps if op == which) for which in ("ENTRYPOINT", "CMD"))
    command = [*exec_form(entrypoint), *exec_form(cmd)]
    assert command == ["briefbot", "run"]
    image = image_environment()
    host = image["HTTP_ADDRESS"].rpartition(":")[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "SHARD_", "HTTP_"))}
    env.update({k: v for k, v in image.items() if k != "PATH"})
    env.update(
        DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'briefbot.db'}",  # the image's /data is a volume; here, a folder
        HTTP_ADDRESS=f"{host}:{free_port()}",
    )  # fmt: skip
    process = await briefbot(command, env)
    try:
        for _ in range(60):  # the image's HEALTHCHECK, until the bot is up
            code, said = await health(env)
            if code == 0:
                break
            await asyncio.sleep(0.5)
        assert code == 0, said
        assert "gateway: connected" in said and "database: sqlite answers" in said and "briefing: version" in said
        await asyncio.sleep(0.3)
        await interact(fake, fake.slash("ask", {"question": "where did kim and putin meet"}))
        port = env["HTTP_ADDRESS"].rpartition(":")[2]
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as page:
            metrics = await page.text()
        assert 'briefbot_answers_total{outcome="answer"} 1.0' in metrics
        assert "briefbot_answer_seconds_count 1.0" in metrics
        await fake.stop()  # Discord goes away: the gateway is no longer connected
        for _ in range(40):
            code, said = await health(env)
            if code != 0:
                break
            await asyncio.sleep(0.25)
        assert code == 1 and "unhealthy (503): gateway:" in said, said
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 30)
        await fake.stop()
    assert process.returncode == 0, err.decode()
    assert TOKEN not in (out + err).decode()
    assert "voice will NOT be supported" not in err.decode()  # discord.py's warnings about voice: silenced


# -- /healthz and /metrics in-process ----------------------------------------------------------------


async def fetch(server: StatusServer, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{server.port}{path}") as page:
        return page.status, await page.text()


async def test_healthz_names_what_is_wrong(fake: FakeDiscord, briefing: Briefing, tmp_path: Path) -> None:
    database = tmp_path / "digests.db"
    async with running(settings_for(fake, database_url=f"sqlite:///{database}"), briefing) as bot:
        server = StatusServer(bot)
        await server.start("127.0.0.1:0")
        try:
            status, body = await fetch(server, "/healthz")
            assert status == 200, body
            checks = json.loads(body)["checks"]
            assert {name: c["ok"] for name, c in checks.items()} == {"gateway": 1, "database": 1, "briefing": 1}
            # The database file moved away under the running bot: the check names it.
            database.rename(tmp_path / "elsewhere.db")
            try:
                status, body = await fetch(server, "/healthz")
            finally:
                (tmp_path / "elsewhere.db").rename(database)
            assert status == 503
            document = json.loads(body)
            assert document["ok"] is False
            assert not document["checks"]["database"]["ok"] and document["checks"]["gateway"]["ok"]
            assert str(database) in document["checks"]["database"]["detail"]
        finally:
            await server.stop()
    status_closed = StatusServer(bot)
    assert (await status_closed.checks())["gateway"].detail == "closed"


async def test_metrics_count_answers_digests_and_rate_limit_waits(
    fake: FakeDiscord, briefing: Briefing, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'digests.db'}"
    await due_subscriptions(url, fake.guild_id, [fake.channel_id])
    async with running(settings_for(fake, database_url=url), briefing) as bot:
        server = StatusServer(bot)
        await server.start("127.0.0.1:0")
        try:
            await fake.wait_for(lambda r: r.path.endswith("/messages") and r.status == 200, 10)
            for question in ("where did kim and putin meet", "what is the recipe for kimchi"):
                await interact(fake, fake.slash("ask", {"question": question}))
            # What discord.py logs when it waits out a 429 (the fake does not send Discord's Via header).
            discord_429 = "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds."
            logging.getLogger("discord.http").warning(discord_429, "POST", "/channels/1/messages", 0.5)
            await asyncio.sleep(0.3)  # the delivery is marked sent
            status, page = await fetch(server, "/metrics")
        finally:
            await server.stop()
    assert status == 200
    assert len(fake.sent("POST", r"/channels/\d+/messages$")) == 1
    for line in (
        'briefbot_answers_total{outcome="answer"} 1.0',
        'briefbot_answers_total{outcome="not_covered"} 1.0',
        "briefbot_answer_seconds_count 2.0",
        "briefbot_digests_sent_total 1.0",
        "briefbot_digests_failed_total 0.0",
        "briefbot_digests_pending 0.0",
        'briefbot_rate_limit_waits_total{source="discord_429"} 1.0',
    ):
        assert line in page, page


def test_the_digest_figures_interface_is_four_numbers() -> None:
    class Counters:  # what the digest service keeps
        sent, failed, pending, rate_limit_waits = 7, 2, 3, 11

    page = Metrics().exposition(Counters()).decode()
    assert "briefbot_digests_sent_total 7.0" in page and "briefbot_digests_pending 3.0" in page
    assert 'briefbot_rate_limit_waits_total{source="digest_pacing"} 11.0' in page
    assert "briefbot_digests_sent" not in Metrics().exposition(None).decode()


def test_digest_figures_are_none_before_the_digest_service_runs() -> None:
    class NotStarted:
        digests = None

    assert digest_figures(NotStarted()) is None


@pytest.mark.parametrize(
    ("address", "url"),
    [("8080", "http://127.0.0.1:8080"), ("0.0.0.0:81", "http://127.0.0.1:81"), ("[::]:90", "http://[::1]:90"),
     ("10.1.2.3:7", "http://10.1.2.3:7")],
)  # fmt: skip
def test_the_health_command_asks_where_the_bot_listens(address: str, url: str) -> None:
    from bot.cli.health import local_url

    assert local_url(address) == url
