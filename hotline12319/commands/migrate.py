"""`hotline12319 migrate`: bring the schema to the newest Alembic revision.

Migrations are a start-up step (`serve` runs them too), never a side effect of an import.
"""

from __future__ import annotations

import argparse

from hotline12319.settings import load_settings
from routing.store.migrate import upgrade


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="default: the configured DATABASE_URL")


def run(args: argparse.Namespace) -> int:
    url = args.database_url or load_settings().database_url
    upgrade(url)
    print(f"schema up to date on {url.split('@')[-1]}")
    return 0
