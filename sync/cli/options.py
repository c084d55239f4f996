"""Options several ``okr`` commands share, declared once so they read alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from okr.schema import LANGUAGES
from sync.config import CONFIG_NAME, Workspace

#: A path the command reads. click's own readability check would stop every file
#: with a three-line usage error; our readers say what is wrong with each file in
#: one line instead, and one unreadable file among several is a problem, not a stop.
INPUT_PATH = click.Path(path_type=Path, readable=False)

#: ``--format text|json`` for commands whose output is data.
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def config_option(what: str = "Workspace file") -> Callable[[Any], Any]:
    """``--config PATH``: the workspace file, ``./okr.toml`` by default."""
    return click.option("--config", type=INPUT_PATH, help=f"{what} (default: ./{CONFIG_NAME}).")


#: ``--lang en|zh-CN`` of the company workbook; without it, ``[organisation] lang``.
company_lang_option = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the company workbook's sheet names and headings "
    "(default: [organisation] lang, else en).",
)


def with_lang(ws: Workspace, lang: str | None) -> Workspace:
    """*ws* with the company workbook's language set by ``--lang`` when it was given."""
    return replace(ws, lang=lang) if lang else ws


def as_of_option(meaning: str) -> Callable[[Any], Any]:
    """``--as-of YYYY-MM-DD``: the day the command acts as if it were."""
    return click.option(
        "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help=f"{meaning} (default: today)."
    )
