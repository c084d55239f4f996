"""``[[sources]] kind = "uploads"``: the latest version each department uploaded to the service.

All departments are read in one query, so a run sees each department's
upload either whole or not yet (the next run will), never half.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sync import config
from sync.sources.base import SourceRead, parse
from sync.store import uploads as upload_store
from sync.store.engine import open_store


class UploadsSource:
    """The latest upload of every department, named ``CODE.xlsx``."""

    def __init__(self, store_url: str, name: str = "uploads") -> None:
        """Read uploads from the store at *store_url*."""
        self.store_url = store_url
        self.name = name

    def read(self, progress: Callable[[int, int], None] | None = None) -> list[SourceRead]:
        """Every department's latest version, parsed (*progress* is not called: one query)."""
        engine = open_store(self.store_url)
        try:
            latest = upload_store.latest_all(engine)
        finally:
            engine.dispose()
        return [parse(self.name, f"{info.department}.xlsx", data) for info, data in latest]

    def __repr__(self) -> str:
        return f"UploadsSource({self.name!r})"


def uploads_source(src: config.Source, ws: config.Workspace, skip: tuple[Path, ...]):
    """The source factory ``sync.sources`` calls for ``kind = "uploads"``."""
    return UploadsSource(ws.store_url)


#: What ``sync.sources.make_source`` calls for ``kind = "uploads"``.
from_config = uploads_source
