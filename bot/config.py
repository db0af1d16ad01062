"""Settings, read from the environment and `.env` when the program starts (never at import).

Every setting is an environment variable of the same name in upper case (`DISCORD_TOKEN`,
`DEV_GUILD_ID`, …); `.env.example` lists them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The repository root: `bot/` sits in it beside `briefings/` and `seeds/`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
API_VERSION = 10


def _int_list(value: object) -> object:
    """`1,2,3` or `1 2 3` from the environment; a list from code."""
    if isinstance(value, str):
        return [int(part) for part in re.split(r"[,\s]+", value.strip()) if part]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Discord. Without a token, `briefbot run` starts the offline console.
    discord_token: SecretStr | None = None
    # Commands are synced to this guild at start (instantly visible); global sync is `briefbot sync`.
    dev_guild_id: int | None = None
    # REST base URL, for rate-limit proxies and tests; `/api/v10` is added when missing.
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    # Several processes: each runs the shards in SHARD_IDS of SHARD_COUNT. Unset: one process,
    # Discord's recommended shard count (AutoShardedBot) when SHARD_COUNT is set without SHARD_IDS.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int] | None, NoDecode] = None
    # Users who may /reload, besides the application's owners.
    owner_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # Per-user cooldown of the reader commands: RATE uses per SECONDS.
    cooldown_rate: int = Field(default=5, ge=1)
    cooldown_seconds: float = Field(default=30.0, gt=0)
    # Buttons stop answering after this many seconds (Discord allows 15 minutes of follow-ups).
    view_timeout: float = Field(default=300.0, gt=0, le=840)

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'briefbot.db'}"
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

    briefing_dir: Path = PROJECT_ROOT / "briefings"
    seeds_dir: Path = PROJECT_ROOT / "seeds"

    _split_ids = field_validator("shard_ids", "owner_ids", mode="before")(_int_list)

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


def load_settings() -> Settings:
    return Settings()
