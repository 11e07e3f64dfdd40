"""`hotline12319 migrate`: bring the schema to the newest Alembic revision.

Migrations are a start-up step (`serve` runs them too), never a side effect of an import.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from ari_app.settings import load_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        Path(database_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), "head")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="default: the configured DATABASE_URL")


def run(args: argparse.Namespace) -> int:
    url = args.database_url or load_settings().database_url
    upgrade(url)
    print(f"schema up to date on {url.split('@')[-1]}")
    return 0
