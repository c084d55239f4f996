"""Where department workbooks come from: the ``Source`` kinds of ``[[sources]]``.

Each kind is built by a factory; ``make_source`` picks it from the
workspace file. The protocol every source follows is in ``sync.sources.base``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sync import config
from sync.errors import ConfigError
from sync.sources.base import Source
from sync.sources.folder import _folder

SourceFactory = Callable[[config.Source, config.Workspace, tuple[Path, ...]], Source]


def _uploads(src: config.Source, ws: config.Workspace, skip: tuple[Path, ...]) -> Source:
    # Imported when used: the uploads source needs the store.
    from sync.sources.uploads import uploads_source

    return uploads_source(src, ws, skip)


KINDS: dict[str, SourceFactory] = {"folder": _folder, "uploads": _uploads}
#: Kinds whose module registers itself when first needed (it pulls in gspread).
PLUGINS = {"gsheet": "sync.sources.gsheet"}


def register_kind(kind: str, factory: SourceFactory, keys: Iterable[str] | None = None) -> None:
    """Make ``[[sources]] kind = <kind>`` build sources with *factory* (e.g. Google Sheets).

    *keys* are the settings such a source takes besides ``kind``, which the
    workspace file is validated against (``sync.config.SOURCE_KINDS`` already
    lists the built-in kinds').
    """
    KINDS[kind] = factory
    if keys is not None:
        config.SOURCE_KINDS[kind] = set(keys)


def make_source(src: config.Source, ws: config.Workspace, *, skip: Iterable[Path] = ()) -> Source:
    """The ``Source`` for one ``[[sources]]`` entry of the workspace file."""
    if src.kind not in KINDS and src.kind in PLUGINS:
        import importlib

        importlib.import_module(PLUGINS[src.kind])
    factory = KINDS.get(src.kind)
    if factory is None:
        known = ", ".join(sorted(KINDS))
        raise ConfigError(
            f"[[sources]] kind {src.kind!r} is not supported here (known: {known}); "
            "fix the kind in okr.toml"
        )
    return factory(src, ws, tuple(skip))
