"""``[[sources]] kind = "gsheet"``: department tables read from Google Sheets.

A source names sheets by ``ids`` (IDs or URLs) and/or a Drive ``folder_id``
(every spreadsheet in it). A run lists what it needs from Drive once (one
``files.list`` per 1,000 files, with ``modifiedTime``), reuses the stored
version of every sheet whose ``modifiedTime`` has not moved, and reads each
changed sheet in one ``values:batchGet``: at most one call per changed sheet
plus one per 1,000 sheets. A sheet that cannot be read comes back with its
error, so the run falls back to its last good version, marked stale, as it
does for a broken .xlsx. Sheets are read on a few threads so one slow sheet
does not hold up the others.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sync import config
from sync.errors import ConfigError, InputError, OkrError
from sync.gsheets.client import BUDGET, GoogleApi, GoogleConfig, sheet_id_of
from sync.gsheets.read import SheetVersion, decode, fetch, is_version, table_of
from sync.sources.base import SourceRead

#: Sheets read at once: enough to hide latency, few enough for the per-user quota.
READ_THREADS = 4


class GsheetSource:
    """Google Sheets named by ID or URL and/or every spreadsheet in a Drive folder."""

    def __init__(
        self,
        name: str,
        connect: Callable[[], GoogleApi],
        *,
        ids: tuple[str, ...] = (),
        folder_id: str = "",
        store_url: str = "",
        decimal: str | None = None,
    ) -> None:
        """*connect* opens the API when the source is read (so a bad key fails per source).

        *decimal* is ``[organisation] decimal``, for numbers typed into text cells.
        """
        self.name = name
        self.connect = connect
        self.ids = tuple(sheet_id_of(i) for i in ids)
        self.folder_id = folder_id
        self.store_url = store_url
        self.decimal = decimal
        #: the API of the last read (tests and the benchmark count its calls)
        self.api: GoogleApi | None = None

    def listing(self, api: GoogleApi) -> list[dict[str, Any]]:
        """The files to read: id, name, modifiedTime (from Drive; '' when Drive does not say)."""
        files: dict[str, dict[str, Any]] = {}
        if self.folder_id:
            for f in api.list_files(self.folder_id):
                files[f["id"]] = f
        wanted = [i for i in self.ids if i not in files]
        if wanted:
            # One listing of every sheet the account sees gives all modifiedTimes at once.
            seen = {f["id"]: f for f in api.list_files()}
            for sheet_id in wanted:
                files[sheet_id] = seen.get(sheet_id, {"id": sheet_id, "name": sheet_id})
        return list(files.values())

    def read(self, progress: Callable[[int, int], None] | None = None) -> list[SourceRead]:
        """Read every sheet: reused, fresh, or an error; ``InputError`` if Drive is unreachable."""
        try:
            api = self.api = self.connect()
            files = self.listing(api)
        except OkrError as exc:
            raise InputError(f"source {self.name}: {exc}") from None
        names = _names(files)
        stored = self._stored(list(names.values()))
        out: list[SourceRead] = []
        todo: list[dict[str, Any]] = []
        for f in files:
            name = names[f["id"]]
            old = stored.get(name)
            if (
                old is not None
                and old[0].id == f["id"]
                and f.get("modifiedTime") == old[0].modified
            ):
                out.append(self._parsed(name, old[0], old[1]))
            else:
                todo.append(f)
        done = len(out)
        if progress is not None:
            progress(done, len(files))
        with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
            for found in pool.map(lambda f: self._read_one(api, f, names[f["id"]]), todo):
                out.append(found)
                done += 1
                if progress is not None:
                    progress(done, len(files))
        return sorted(out, key=lambda r: r.name)

    def _read_one(self, api: GoogleApi, f: dict[str, Any], name: str) -> SourceRead:
        try:
            version = fetch(
                api,
                f["id"],
                name,
                title=f.get("name", name),
                modified=f.get("modifiedTime", ""),
                deadline=api.clock() + BUDGET,
            )
        except OkrError as exc:
            return SourceRead(self.name, name, None, None, str(exc))
        return self._parsed(name, version, version.encode())

    def _parsed(self, name: str, version: SheetVersion, data: bytes) -> SourceRead:
        try:
            table = table_of(version, name, decimal=self.decimal)
        except InputError as exc:
            return SourceRead(self.name, name, data, None, str(exc))
        return SourceRead(self.name, name, data, table)

    def _stored(self, names: list[str]) -> dict[str, tuple[SheetVersion, bytes]]:
        """The last good stored version of each sheet (reused while Drive says unchanged)."""
        if not self.store_url or not names:
            return {}
        from sync.store.engine import open_store
        from sync.store.history import last_good

        engine = open_store(self.store_url)
        try:
            found = last_good(engine, names)
        finally:
            engine.dispose()
        out = {}
        for name, version in found.items():
            if is_version(version.data):
                try:
                    out[name] = (decode(version.data), version.data)
                except InputError:
                    continue
        return out

    def __repr__(self) -> str:
        return f"GsheetSource({self.name!r})"


def _names(files: list[dict[str, Any]]) -> dict[str, str]:
    """Each file's workbook name: its title, with the ID added when two titles clash."""
    titles = [str(f.get("name") or f["id"]) for f in files]
    out = {}
    for f, title in zip(files, titles, strict=True):
        out[f["id"]] = f"{title} ({f['id']})" if titles.count(title) > 1 else title
    return out


def make_gsheet_source(
    src: config.Source, ws: config.Workspace, skip: tuple[Path, ...] = ()
) -> GsheetSource:
    """The source for one ``[[sources]] kind = "gsheet"`` entry."""
    ids = src.options.get("ids", [])
    if isinstance(ids, str):
        ids = [ids]
    folder = str(src.options.get("folder_id", ""))
    if not ids and not folder:
        raise ConfigError(
            '[[sources]] kind = "gsheet" needs ids = ["<sheet ID or URL>", ...] and/or '
            'folder_id = "<Drive folder ID>"'
        )
    cfg = GoogleConfig.from_workspace(ws)
    name = src.path or (f"gsheet:{folder}" if folder else "gsheet")
    return GsheetSource(
        name,
        lambda: GoogleApi(cfg),
        ids=tuple(str(i) for i in ids),
        folder_id=folder,
        store_url=ws.store_url,
        decimal=ws.decimal,
    )


def read_bound_sheets(ws: config.Workspace, bind: Callable) -> tuple[list, list]:
    """The sheets of every gsheet source with their metric-bound rows, for the refresh.

    *bind(table, name)* gives a table's rows bound to metrics.

    Returns ``(BoundSheet list, WorkbookResult list of sheets or sources that failed)``.
    """
    from sync.gsheets.writeback import read_bound
    from sync.xlsx.fill import WorkbookResult

    books: list = []
    failed: list = []
    for src in ws.sources:
        if src.kind != "gsheet":
            continue
        source = make_gsheet_source(src, ws)
        try:
            api = source.connect()
            files = source.listing(api)
        except OkrError as exc:
            failed.append(WorkbookResult(source.name, "skipped", error=str(exc)))
            continue
        names = _names(files)
        todo = [(f["id"], names[f["id"]], str(f.get("modifiedTime", ""))) for f in files]
        found, bad = read_bound(api, todo, bind, _relister(source, api), decimal=ws.decimal)
        books += found
        failed += bad
    return books, failed


def _relister(source: GsheetSource, api: GoogleApi) -> Callable[[], dict[str, str]]:
    """Lists *source* again: sheet ID -> Drive modifiedTime (the write-back's check)."""
    return lambda: {f["id"]: str(f.get("modifiedTime", "")) for f in source.listing(api)}


#: What ``sync.sources.make_source`` calls for ``kind = "gsheet"``.
from_config = make_gsheet_source
