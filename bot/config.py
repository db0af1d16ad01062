"""Settings, read from the environment and `.env` when the program starts (never at import).

Every setting is an environment variable of the same name in upper case (`DISCORD_TOKEN`,
`DEV_GUILD_ID`, …); `.env.example` lists them. The environment wins over `.env`; an empty value
means unset. `load_settings` reads both (python-dotenv parses `.env`) into the pydantic model
below. (pydantic-settings would do the same, but importing it costs about 40 ms, asyncio and cloud
secret stores included: an eighth of `briefbot ask`'s start.)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, Secret, SecretStr, ValidationError, field_validator, model_validator

from bot.errors import OperatorError, mask_url, redact, remember, url_passwords

# The repository root: `bot/` sits in it beside `briefings/` and `seeds/`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The copy of briefings/ and seeds/ that a non-editable install carries inside the package (in a
# checkout, bot/data/ holds links to the real folders; pyproject.toml's package-data copies them).
PACKAGED_DATA = Path(__file__).resolve().parent / "data"


def default_data_root() -> Path:
    """Where briefings/ and seeds/ are unless BRIEFING_DIR / SEEDS_DIR say otherwise: the checkout
    `bot/` was imported from, else the copy installed with the package."""
    if (PROJECT_ROOT / "briefings").is_dir() and (PROJECT_ROOT / "seeds").is_dir():
        return PROJECT_ROOT
    return PACKAGED_DATA


API_VERSION = 10


def _int_list(value: object) -> object:
    """`1,2,3` or `1 2 3` from the environment; a list from code."""
    if isinstance(value, str):
        parts = [part for part in re.split(r"[,\s]+", value.strip()) if part]
        if not all(part.isdigit() for part in parts):
            raise ValueError("expected whole numbers separated by commas, e.g. 0,1")
        return [int(part) for part in parts]
    return value


class DatabaseURL(Secret[str]):
    """A database URL whose password never shows: repr, str and messages mask it."""

    def _display(self) -> str:
        return mask_url(self.get_secret_value())


# Databases the digest store speaks: SQLite (built in) and PostgreSQL (through psycopg).
_DATABASES = ("sqlite", "postgresql")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    import ipaddress  # only when a URL is configured

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseModel):
    # Values come as text from the environment and .env (see environment_values); names it does not
    # know are ignored.
    model_config = ConfigDict(extra="ignore")

    # Discord. Without a token, `briefbot run` starts the offline console.
    discord_token: SecretStr | None = None
    # Commands are synced to this guild at start (instantly visible); global sync is `briefbot sync`.
    dev_guild_id: int | None = Field(default=None, gt=0)
    # REST base URL, for rate-limit proxies and tests; `/api/v10` is added when missing.
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    # The token goes only over HTTPS/WSS, or plain HTTP/WS to this machine (loopback); this allows
    # plain HTTP/WS to another host on a trusted private network (a rate-limit proxy in compose).
    discord_allow_plain_http: bool = False
    # Several processes: each runs the shards in SHARD_IDS of SHARD_COUNT. Unset: one process,
    # Discord's recommended shard count (AutoShardedBot) when SHARD_COUNT is set without SHARD_IDS.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None
    # Users who may /reload, besides the application's owners.
    owner_ids: list[int] = Field(default_factory=list)
    # Per-user cooldown of the reader commands: RATE uses per SECONDS.
    cooldown_rate: int = Field(default=5, ge=1)
    cooldown_seconds: float = Field(default=30.0, gt=0)
    # Buttons stop answering after this many seconds (Discord allows 15 minutes of follow-ups).
    view_timeout: float = Field(default=300.0, gt=0, le=840)

    database_url: DatabaseURL = DatabaseURL(f"sqlite:///{PROJECT_ROOT / 'data' / 'briefbot.db'}")
    # Digests: the scheduler wakes at each due slot, and polls this often besides (a safety net);
    # a slot missed while the bot was down is still sent this late.
    digest_tick_seconds: float = Field(default=30.0, gt=0, le=300)
    digest_grace_minutes: float = Field(default=120.0, ge=0)
    # This process's share of Discord's 50 requests/s per bot (all processes of one bot share it).
    digest_rate_per_second: float = Field(default=45.0, gt=0, le=50)
    digest_senders: int = Field(default=16, ge=1, le=256)
    # Each send gives up after this long (and is tried again with the same nonce).
    digest_send_timeout: float = Field(default=5.0, gt=0, le=60)
    # A claim's lease; a process silent this long is gone and its claims are taken over.
    digest_lease_seconds: float = Field(default=30.0, gt=0)
    # How long Discord is trusted to remember a nonce; later re-sends look in the channel first.
    digest_nonce_window_seconds: float = Field(default=120.0, gt=0)
    log_level: str = "INFO"

    # The briefing and the articles (BRIEFING_DIR, SEEDS_DIR): see default_data_root.
    briefing_dir: Path = Field(default_factory=lambda: default_data_root() / "briefings")
    seeds_dir: Path = Field(default_factory=lambda: default_data_root() / "seeds")

    # HOST:PORT (or PORT, all interfaces) for /healthz and /metrics while the bot runs; unset: off.
    http_address: str | None = None

    _split_ids = field_validator("shard_ids", "owner_ids", mode="before")(_int_list)

    @field_validator("discord_token", mode="before")
    @classmethod
    def _token(cls, value: Any) -> Any:
        # Never echo the value: the messages below say what is wrong with it, not what it is.
        if isinstance(value, str):
            value = value.strip()
            if value.lower().startswith("bot "):
                raise ValueError("remove the 'Bot ' in front: give the token alone")
            if not re.fullmatch(r"[A-Za-z0-9_.\-]+", value):
                raise ValueError("a bot token holds only letters, digits, '.', '_' and '-' (no quotes or spaces)")
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _database(cls, value: Any) -> Any:
        url = value.get_secret_value() if isinstance(value, Secret) else value
        if not isinstance(url, str):
            return value
        scheme, sep, rest = url.strip().partition("://")
        dialect, _, driver = scheme.lower().partition("+")
        dialect = "postgresql" if dialect == "postgres" else dialect
        if not sep or dialect not in _DATABASES:
            raise ValueError(
                "expected sqlite:///path/to/briefbot.db or postgresql+psycopg://user:password@host/database"
            )
        if dialect == "postgresql" and driver in ("", "psycopg2"):
            driver = "psycopg"  # the driver briefbot installs ('.[postgres]')
        return f"{dialect}{'+' + driver if driver else ''}://{rest}"

    @field_validator("discord_api_base")
    @classmethod
    def _api_base(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("expected an http(s) URL such as https://discord.com/api/v10")
        return value

    @field_validator("discord_gateway_url")
    @classmethod
    def _gateway(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("ws", "wss") or not parts.hostname:
                raise ValueError("expected a websocket URL such as wss://gateway.discord.gg")
        return value

    @field_validator("http_address")
    @classmethod
    def _http_address(cls, value: str | None) -> str | None:
        if value is not None:
            port = value.rpartition(":")[2]
            if not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError("expected PORT or HOST:PORT, e.g. 8080 or 127.0.0.1:8080")
        return value

    @model_validator(mode="after")
    def _shards_and_transport(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT (the total number of shards across all processes)")
            outside = [i for i in self.shard_ids if i >= self.shard_count]
            if outside or not self.shard_ids:
                raise ValueError(f"SHARD_IDS must be between 0 and SHARD_COUNT-1 ({self.shard_count - 1})")
        if not self.discord_allow_plain_http:
            for name, url, plain in (
                ("DISCORD_API_BASE", self.discord_api_base, "http"),
                ("DISCORD_GATEWAY_URL", self.discord_gateway_url, "ws"),
            ):
                parts = urlsplit(url or "")
                if parts.scheme == plain and not is_loopback(parts.hostname):
                    raise ValueError(
                        f"{name} would send the bot token unencrypted to {parts.hostname}: use "
                        f"{plain}s://, or set DISCORD_ALLOW_PLAIN_HTTP=true for a proxy on a trusted private network"
                    )
        return self

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @model_validator(mode="after")
    def _lease_outlasts_sends(self) -> Settings:
        if self.digest_lease_seconds <= 2 * self.digest_send_timeout:
            raise ValueError("DIGEST_LEASE_SECONDS must be more than twice DIGEST_SEND_TIMEOUT")
        return self

    @property
    def api_base(self) -> str | None:
        """The REST base with its API version, e.g. http://127.0.0.1:8080/api/v10."""
        if not self.discord_api_base:
            return None
        base = self.discord_api_base.rstrip("/")
        return base if re.search(r"/api/v\d+$", base) else f"{base}/api/v{API_VERSION}"

    @property
    def token(self) -> str | None:
        return self.discord_token.get_secret_value() if self.discord_token else None

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be printed or logged: the token and the database password."""
        return tuple(s for s in (self.token, *url_passwords(self.database_url.get_secret_value())) if s)

    @property
    def token_host(self) -> str:
        """Where the token goes over REST: `https://discord.com`, or the configured base's host."""
        parts = urlsplit(self.api_base or "https://discord.com")
        return f"{parts.scheme}://{parts.netloc}"


SECRET_SETTINGS = frozenset({"discord_token", "database_url"})


def environment_values(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """Each setting's text from the environment, else from `env_file`: names in any case, empty
    values left out."""
    names = {str(f.validation_alias or name).upper(): str(f.validation_alias or name)
             for name, f in Settings.model_fields.items()}  # fmt: skip
    sources: list[dict[str, str | None]] = []
    if env_file is not None and env_file.is_file():
        sources.append(dotenv_values(env_file, encoding="utf-8"))
    sources.append(dict(os.environ))  # last: the environment wins
    found: dict[str, str] = {}
    for source in sources:
        for key, value in source.items():
            field = names.get(key.upper())
            if field is not None and value:
                found[field] = value
    return found


def load_settings() -> Settings:
    """The settings, or an OperatorError naming the setting that is wrong and where it came from."""
    try:
        settings = Settings.model_validate(environment_values())
    except ValidationError as exc:
        raise OperatorError(_explain(exc)) from None
    except UnicodeDecodeError as exc:
        raise OperatorError(
            f"{Path('.env').resolve()} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}): "
            "save it as UTF-8"
        ) from None
    except OSError as exc:
        raise OperatorError(f"cannot read {exc.filename or '.env'}: {exc.strerror}") from None
    remember(settings.secrets, str(settings.database_url), debug=settings.log_level == "DEBUG")
    return settings


def _explain(exc: ValidationError) -> str:
    """At most two problems, each naming its setting and where the value came from, then how to fix."""
    lines = []
    for error in exc.errors()[:2]:
        field = str(error["loc"][0]) if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        if not field:  # a rule across settings: its message names them
            lines.append(message)
            continue
        name = field.upper()
        origin = "the environment" if name in os.environ else ".env"
        value = error.get("input")
        if field == "database_url" and isinstance(value, str):
            shown = f"={_short(mask_url(value))}"
        else:
            shown = "" if field in SECRET_SETTINGS else f"={_short(value)}"
        lines.append(f"{name}{shown} (from {origin}): {message}")
    more = len(exc.errors()) - len(lines)
    tail = f" ({more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    lines[-1] += f"{tail}; see .env.example"
    return redact("\n".join(lines))


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else repr(str(value))
    return text if len(text) <= 60 else text[:57] + "…'"
