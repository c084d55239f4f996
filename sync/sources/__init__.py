"""Where department workbooks come from: the ``Source`` kinds of ``[[sources]]``.

``KINDS`` maps each kind to the module implementing it, imported only when a
workspace uses it (the same shape as the connection kinds of
``sync.metrics.connectors``). Each module has ``from_config(src, ws, skip)``
returning a ``Source``; the protocol every source follows is in
``sync.sources.base``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

from sync import config
from sync.errors import ConfigError
from sync.sources.base import Source

#: source kind -> module implementing it (with ``from_config``)
KINDS: dict[str, str] = {
    "folder": "sync.sources.folder",
    "gsheet": "sync.sources.gsheet",
    "uploads": "sync.sources.uploads",
}


def make_source(src: config.Source, ws: config.Workspace, *, skip: Iterable[Path] = ()) -> Source:
    """The ``Source`` for one ``[[sources]]`` entry of the workspace file."""
    module = KINDS.get(src.kind)
    if module is None:
        known = ", ".join(sorted(KINDS))
        raise ConfigError(
            f"[[sources]] kind {src.kind!r} is not supported here (known: {known}); "
            "fix the kind in okr.toml"
        )
    return importlib.import_module(module).from_config(src, ws, tuple(skip))


def workspace_sources(ws: config.Workspace, skip: Iterable[Path] = ()) -> list[Source]:
    """The sources of the workspace; the files in *skip* (the company workbook) are left out."""
    if not ws.sources and ws.path is None:
        raise ConfigError(
            f"no {config.CONFIG_NAME} in {ws.root}: run 'okr init' to start a workspace here, "
            "or pass --config PATH"
        )
    if not ws.sources:
        raise ConfigError(
            f"no [[sources]] in {ws.path}: add one, e.g. "
            '[[sources]] kind = "folder" path = "departments"'
        )
    skip = tuple(skip)
    return [make_source(c, ws, skip=skip) for c in ws.sources]


def default_sources(ws: config.Workspace) -> tuple[tuple[config.Source, ...], tuple[str, ...]]:
    """The configured sources, or in a clone with none the example organisation, and a notice.

    For the front ends (command line, service): the run itself never falls
    back, it reads what it is given.
    """
    if ws.sources or not (ws.root / "examples" / "org").is_dir():
        return ws.sources, ()
    note = "No [[sources]] in okr.toml: read the example organisation in examples/org."
    return (config.Source("folder", "examples/org"),), (note,)
