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
from sync.xlsx.reading import MAX_ROWS


class UploadsSource:
    """The latest upload of every department, named ``CODE.xlsx``."""

    def __init__(
        self,
        store_url: str,
        name: str = "uploads",
        *,
        max_rows: int = MAX_ROWS,
        decimal: str | None = None,
    ) -> None:
        """Read uploads from the store at *store_url* by ``[settings] max_rows`` and
        ``[organisation] decimal``."""
        self.store_url = store_url
        self.name = name
        self.max_rows, self.decimal = max_rows, decimal

    def read(self, progress: Callable[[int, int], None] | None = None) -> list[SourceRead]:
        """Every department's latest version, parsed (*progress* is not called: one query)."""
        engine = open_store(self.store_url)
        try:
            latest = upload_store.latest_all(engine)
        finally:
            engine.dispose()
        return [
            parse(
                self.name,
                f"{info.department}.xlsx",
                data,
                max_rows=self.max_rows,
                decimal=self.decimal,
            )
            for info, data in latest
        ]

    def __repr__(self) -> str:
        return f"UploadsSource({self.name!r})"


def uploads_source(src: config.Source, ws: config.Workspace, skip: tuple[Path, ...]):
    """The source factory ``sync.sources`` calls for ``kind = "uploads"``."""
    return UploadsSource(ws.store_url, max_rows=ws.settings.max_rows, decimal=ws.decimal)


#: What ``sync.sources.make_source`` calls for ``kind = "uploads"``.
from_config = uploads_source
