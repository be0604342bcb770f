"""Alembic migrations, one branch per domain, all applied with ``jingwu db upgrade``."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

HERE = Path(__file__).resolve().parent
MODEL_MODULES = (
    "jingwu.core.events",
    "jingwu.identity.models",
    "jingwu.places.models",
    "jingwu.places.road_models",
    "jingwu.units.models",
    "jingwu.command.models",
    "jingwu.fire.models",
    "jingwu.command.room_models",
    "jingwu.cases.models",
    "jingwu.analytics.models",
    "jingwu.community.models",
)


def load_models() -> MetaData:
    """Import every domain's tables so that the metadata is complete."""
    from jingwu.core.db import Base

    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return Base.metadata


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "heads")
