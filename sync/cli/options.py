"""Options several ``okr`` commands share, declared once so they read alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sync.config import CONFIG_NAME

#: ``--format text|json`` for commands whose output is data.
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def config_option(what: str = "Workspace file") -> Callable[[Any], Any]:
    """``--config PATH``: the workspace file, ``./okr.toml`` by default."""
    return click.option(
        "--config", type=click.Path(path_type=Path), help=f"{what} (default: ./{CONFIG_NAME})."
    )


def as_of_option(meaning: str) -> Callable[[Any], Any]:
    """``--as-of YYYY-MM-DD``: the day the command acts as if it were."""
    return click.option(
        "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help=f"{meaning} (default: today)."
    )
