"""One typed settings object, read once from the environment (prefix ``JINGWU_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_SECRET = "demo-secret-not-for-production"  # noqa: S105 - the demo's known value, refused elsewhere


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JINGWU_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path('var/jingwu.db').resolve()}",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://… in production",
    )
    secret_key: str = DEMO_SECRET
    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    session_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    login_failures_per_minute: int = Field(
        default=20, description="failed logins an address may make in a minute before 429"
    )
    ack_limit_seconds: int = 60
    on_scene_limit_seconds: int = 15 * 60
    duplicate_radius_m: float = 300.0
    duplicate_window_minutes: int = 30
    max_text_chars: int = 4000
    timezone: str = "Asia/Shanghai"
    event_bus: str = Field(default="memory", description="memory | redis://… | nats://…")
    tile_url: str = Field(default="", description="optional tile server on the station network")
    tile_gcj02: bool = False
    call_ack_seconds: int = Field(default=60, description="一键呼: escalate when unanswered")
    upload_dir: str = Field(default="var/uploads", description="crews' report photos")
    mqtt_url: str = Field(
        default="", description="mqtt://host:port — terminal positions; off if empty"
    )
    mqtt_topic_prefix: str = "jingwu/units"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if not self.demo and self.secret_key == DEMO_SECRET:
            raise ValueError(
                "JINGWU_SECRET_KEY is still the demo value: set a long random secret "
                "(or JINGWU_DEMO=1 for the demo station)"
            )
        if len(self.secret_key) < 16:
            raise ValueError("JINGWU_SECRET_KEY must be at least 16 characters")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
