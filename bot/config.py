"""Settings, read from the environment and `.env` when the program starts (never at import)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository root: `bot/` sits in it beside `briefings/` and `seeds/`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    briefing_dir: Path = PROJECT_ROOT / "briefings"
    seeds_dir: Path = PROJECT_ROOT / "seeds"


def load_settings() -> Settings:
    return Settings()
