"""Settings, read from the environment and an optional `.env`, with every default in one place.

Nothing is read at import time: call `load_settings()` where the program starts. A malformed value
becomes one `ConfigError` line that names the variable.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.errors import ConfigError
from bot.log_format import LOG_FORMATS

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
SHIPPED_CORPUS = REPO_DIR / "corpus"
SYNONYMS_FILENAME = "synonyms.yaml"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class Settings(BaseSettings):
    """Every setting of the bot; environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      allow_inf_nan=False)

    notes_dir: Path = Field(SHIPPED_CORPUS, description="Folder of .md/.markdown/.txt notes.")
    notes_watch: bool = Field(False, description="Reindex by itself when the notes folder changes (bot, chat).")
    data_dir: Path = Field(REPO_DIR / "data", description="Where the default SQLite database lives.")
    database_url: str = Field("", description="SQLAlchemy async URL; empty means SQLite in DATA_DIR.")
    auto_migrate: bool = Field(True, description="Migrate the schema at start; off: refuse an old one (shards).")
    synonyms_file: Path | None = Field(None, description="Synonyms YAML; default NOTES_DIR's (none if it has none).")
    max_file_bytes: int = Field(5 * 1024 * 1024, gt=0, description="Larger note files are skipped.")
    chunk_min_words: int = Field(40, gt=0, description="Chunks grow towards at least this many words.")
    chunk_max_words: int = Field(200, gt=0, description="Chunks are split before this many words.")
    top_k: int = Field(3, ge=1, le=25, description="Passages per answer.")
    max_results: int = Field(100, ge=1, le=10_000, description="Deepest passage a question reaches (caps -k and More).")
    log_level: str = Field("INFO", description="Python logging level.")
    log_format: str = Field("text", description="text, or json: one JSON object per line (bot only for now).")
    health_port: int | None = Field(None, ge=0, le=65535, description="Serve /healthz, /readyz and /metrics "
                                    "on this port (bot only); unset: not served; 0: any free port.")
    health_host: str = Field("0.0.0.0", min_length=1, description="The address HEALTH_PORT listens on.")
    discord_token: SecretStr | None = Field(None, description="Bot token; without it the terminal chat opens.")
    discord_test_guild_id: int | None = Field(None, ge=1, description="Sync commands to this guild only (testing).")
    notes_base_url: str | None = Field(None, description="Base URL of the notes' repository for source links.")
    ask_cooldown_rate: int = Field(5, ge=1, description="Questions a member may ask per cooldown window.")
    ask_cooldown_seconds: float = Field(30.0, gt=0, description="The cooldown window in seconds.")
    index_refresh_seconds: float = Field(60.0, gt=0, description="How often shards check for a newer index.")
    daily_tick_seconds: float = Field(30.0, gt=0, description="How often the bot checks whether a daily quiz is due.")
    quiz_typo_threshold: float = Field(85.0, ge=50, le=100, description="Typed answers this similar (0-100) count as typos of the answer.")
    quiz_near_miss_threshold: float = Field(70.0, ge=0, le=100, description="Typed answers this similar are told they were close.")
    quiz_recent_days: float = Field(7.0, ge=0, description="/quiz avoids questions a member saw in this many days.")
    # For tests against a Discord double; never needed in production.
    discord_api_base: str | None = Field(None, description="Override of https://discord.com/api/v10.")
    discord_gateway_url: str | None = Field(None, description="Override of the gateway URL.")

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        return _one_of(value.strip().upper(), LOG_LEVELS)

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        return _one_of(value.strip().lower(), LOG_FORMATS)

    @field_validator("notes_base_url", "discord_api_base")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("ws://", "wss://")):
            raise ValueError("must be a ws:// or wss:// URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value:
            from sqlalchemy.engine import make_url
            from sqlalchemy.exc import ArgumentError

            try:
                make_url(value)
            except ArgumentError:
                raise ValueError("not a database URL (e.g. postgresql+asyncpg://user@host/db)") from None
        return value

    @model_validator(mode="after")
    def _derive(self) -> "Settings":
        if self.chunk_min_words > self.chunk_max_words:
            raise ValueError("CHUNK_MIN_WORDS must not exceed CHUNK_MAX_WORDS")
        self.notes_dir = self.notes_dir.expanduser().resolve()
        self.data_dir = self.data_dir.expanduser().resolve()
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'notesbot.sqlite3'}"
        if self.discord_token is not None and not self.discord_token.get_secret_value().strip():
            self.discord_token = None
        if self.synonyms_file is None:  # the notes' own, read at each reindex (added later: used then);
            self.synonyms_file = self.notes_dir / SYNONYMS_FILENAME  # none of the shipped notes' for others
        return self


def load_settings(**overrides: object) -> Settings:
    """Read the settings now; raise `ConfigError` naming the first bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]).upper() or "settings"
        message = _one_line(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"bad setting {name}: {message}") from None
    except (OSError, UnicodeDecodeError) as exc:  # the .env file itself
        raise ConfigError(f"cannot read the settings file .env: {_one_line(str(exc))}") from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return value
