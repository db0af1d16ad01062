"""Settings, read from the environment and `.env` when the program starts (never at import).

Every setting is an environment variable of the same name in upper case (`DISCORD_TOKEN`,
`DEV_GUILD_ID`, …); `.env.example` lists them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    # How often due digests are looked for, and how late a missed one may still be sent.
    digest_tick_seconds: float = Field(default=10.0, gt=0, le=300)
    digest_grace_minutes: float = Field(default=120.0, ge=0)
    # Fault injection for the crash tests only: "after-claim" or "after-send" kills the process there.
    crash_at: str | None = Field(default=None, validation_alias="BRIEFBOT_CRASH_AT")
    log_level: str = "INFO"

    # The briefing and the articles (BRIEFING_DIR, SEEDS_DIR): see default_data_root.
    briefing_dir: Path = Field(default_factory=lambda: default_data_root() / "briefings")
    seeds_dir: Path = Field(default_factory=lambda: default_data_root() / "seeds")

    _split_ids = field_validator("shard_ids", "owner_ids", mode="before")(_int_list)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

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
