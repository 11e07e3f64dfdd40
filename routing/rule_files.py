"""Reading the YAML tables the standards' rules live in (SLA rows, dispatch rules, the agency
directory, KPI targets, outage notices): one way to fail, naming the file. Each part then
validates what it read against its own model and raises its own error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_yaml(path: Path, error: type[Exception]) -> Any:
    """The parsed file, or `error("cannot read <path>: ...")` when it is missing or not YAML."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise error(f"cannot read {path}: {exc}") from exc
