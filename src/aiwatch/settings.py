"""Settings, declared as data: each has a default, a type and help text.

Where a value comes from, strongest first: a command-line option (``--config``, ``--db``), an
``AIWATCH_<NAME>`` environment variable, ``aiwatch.toml`` in the catalog folder, the default.
``aiwatch config show`` prints the effective values.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from aiwatch.errors import ConfigError

SETTINGS_FILE = "aiwatch.toml"


def bundled_config_dir() -> Path:
    """The catalog shipped with aiwatch: inside the wheel, or config/ of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    inside_wheel = package_dir / "_bundled_config"
    if inside_wheel.is_dir():
        return inside_wheel
    return package_dir.parent.parent / "config"


def default_database_url() -> str:
    """SQLite in the user's data directory (e.g. ~/.local/share/aiwatch/aiwatch.db on Linux)."""
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('aiwatch', appauthor=False)) / 'aiwatch.db'}"


class Settings(BaseSettings):
    """Every setting of aiwatch. The README lists each one; a test keeps that list complete."""

    model_config = SettingsConfigDict(env_prefix="AIWATCH_", extra="forbid", frozen=True)

    config: Path = Field(
        default_factory=bundled_config_dir,
        description="Folder holding milestones.toml, events.toml and aiwatch.toml.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the database; empty means SQLite in the user data folder.",
    )
    check_within_days: int = Field(
        default=90, ge=0, le=3650, description="Default window of `aiwatch check`, in days."
    )
    poll_concurrency: int = Field(
        default=8, ge=1, le=64, description="How many feeds are fetched at the same time."
    )
    max_feed_bytes: int = Field(
        default=10_000_000,
        ge=10_000,
        description="Largest feed body accepted, counted after decompression.",
    )
    fetch_timeout_seconds: float = Field(
        default=60.0, gt=0, le=600, description="Longest a single feed fetch may take in all."
    )
    allow_private_targets: bool = Field(
        default=False,
        description="Allow webhooks to loopback, private and link-local addresses (tests, LANs).",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="How long a webhook receiver may take to answer."
    )
    tick_seconds: float = Field(
        default=30.0, ge=0.2, le=3600, description="How often `aiwatch run` asks what is due."
    )
    delivery_lease_seconds: float = Field(
        default=120.0,
        ge=1,
        le=3600,
        description="How long a claimed notification stays reserved to its sender.",
    )
    shutdown_seconds: float = Field(
        default=30.0, ge=0, le=600, description="How long a stopping daemon lets jobs finish."
    )
    smtp_host: str = Field(default="", description="SMTP server for email alerts.")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="starttls", description="none, starttls (port 587) or tls (port 465)."
    )
    smtp_username: str = Field(default="", description="SMTP login; empty: no login.")
    smtp_password: str = Field(default="", description="SMTP password (never printed).")
    smtp_from: str = Field(default="", description="Sender address of email alerts.")

    def smtp(self) -> dict[str, Any]:
        return {
            "host": self.smtp_host, "port": self.smtp_port, "security": self.smtp_security,
            "username": self.smtp_username, "password": self.smtp_password,
            "sender": self.smtp_from,
        }  # fmt: skip

    @property
    def effective_database_url(self) -> str:
        return self.database_url or default_database_url()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


def load_settings(config: Path | None = None, database_url: str | None = None) -> Settings:
    """Settings from the options given, the environment and the folder's aiwatch.toml."""
    overrides: dict[str, Any] = {}
    if config is not None:
        overrides["config"] = config
    if database_url is not None:
        overrides["database_url"] = database_url
    folder = Path(
        overrides.get("config") or os.environ.get("AIWATCH_CONFIG") or bundled_config_dir()
    )
    file_values = _read_settings_file(folder / SETTINGS_FILE)
    env_names = {f"AIWATCH_{name.upper()}" for name in Settings.model_fields}
    # The file is weaker than the environment: drop what the environment sets.
    for name in list(file_values):
        if f"AIWATCH_{name.upper()}" in os.environ and f"AIWATCH_{name.upper()}" in env_names:
            del file_values[name]
    try:
        return Settings(**{**file_values, **overrides, "config": folder})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}", folder / SETTINGS_FILE) from exc


def _read_settings_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path) from exc
    unknown = sorted(set(values) - set(Settings.model_fields) - {"config"})
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(Settings.model_fields)}",
            path,
        )
    values.pop("config", None)
    return values
