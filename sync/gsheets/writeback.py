"""Metric write-back into Google Sheets: Current and As of, one ``values:batchUpdate`` a sheet.

``read_bound`` reads each department sheet of the ``gsheet`` sources once
(the same ``values:batchGet`` as the nightly read) and finds the key results
bound to registry metrics, keeping Drive's ``modifiedTime`` of the listing
it read them by. Before writing, ``write_all`` lists each source from Drive
once more (one ``files.list`` per 1,000 sheets, not per sheet): a sheet whose
``modifiedTime`` has not moved is as it was read and costs only its write,
so a sheet costs two calls, the read and the write. Only a sheet someone
edited meanwhile has its ID column read again and compared with the IDs read
before: one whose rows moved (rows inserted, deleted or sorted) is skipped
and reported, never written at the wrong row. The write is one
``values:batchUpdate`` of only the Current and As of cells, RAW, so text
from outside never becomes a formula. As of is written as a date serial number, which the template's
column shows as a date; a failed metric's As of becomes the same
``2026-11-20 09:30 (failed: reason)`` text as in an .xlsx.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from okr.reading import Table, leading_id
from sync.errors import OkrError
from sync.gsheets.client import GoogleApi
from sync.gsheets.read import fetch, table_of
from sync.metrics.measure import Outcome
from sync.xlsx.fill import Binding, WorkbookResult, failure_text

_EPOCH = datetime(1899, 12, 30)


@dataclass
class BoundSheet:
    """A department sheet as read, with the rows bound to metrics."""

    api: GoogleApi
    sheet_id: str
    name: str
    table: Table
    bindings: list[Binding]
    #: Drive's modifiedTime when the sheet was read ('' when Drive did not say)
    modified: str = ""
    #: lists the sheet's source from Drive again: sheet ID -> modifiedTime
    relist: Callable[[], dict[str, str]] | None = None


def serial(when: datetime) -> float:
    """The spreadsheet serial number of *when* (days since 1899-12-30), to the minute."""
    when = when.replace(second=0, microsecond=0)
    return (when - _EPOCH).total_seconds() / 86400


def read_bound(
    api: GoogleApi,
    files: Sequence[tuple[str, str, str]],
    bind: Callable[[Table, str], list[Binding]],
    relist: Callable[[], dict[str, str]] | None = None,
    *,
    decimal: str | None = None,
) -> tuple[list[BoundSheet], list[WorkbookResult]]:
    """Read each ``(sheet ID, name, modifiedTime)``: the sheets with bindings, and the failed.

    *bind(table, name)* finds the rows bound to registry metrics (the refresh's
    rule); *relist* lists the same files again before writing (see ``write_all``);
    *decimal* is ``[organisation] decimal``.
    """
    books, failed = [], []
    for sheet_id, name, modified in files:
        try:
            table = table_of(fetch(api, sheet_id, name), name, decimal=decimal)
        except OkrError as exc:
            failed.append(WorkbookResult(name, "skipped", error=_oneline(exc)))
            continue
        books.append(BoundSheet(api, sheet_id, name, table, bind(table, name), modified, relist))
    return books, failed


def write_bound(
    book: BoundSheet,
    outcomes: dict[tuple[str, str], Outcome],
    when: datetime,
    modified_now: str | None = None,
) -> WorkbookResult:
    """Write *book*'s bound Current and As of cells from *outcomes* in one API call.

    *modified_now* is Drive's modifiedTime just before writing: when it is
    not the one read, the ID column is read again first (one call more).
    """
    if not book.bindings:
        return WorkbookResult(book.name, "unchanged")
    letters = dict(book.table.letters)
    if "current" not in letters or "as_of" not in letters:
        missing = "Current" if "current" not in letters else "As of"
        return WorkbookResult(book.name, "skipped", error=f"no {missing} column found; add it")
    data, filled, failed = [], 0, 0
    sheet = book.table.sheet.replace("'", "''")
    old_as_of = {i.where.row: i.as_of for i in book.table.items}
    for b in book.bindings:
        outcome = outcomes.get((b.metric, b.period.label))
        if outcome is None or outcome.state == "skipped":
            continue
        current, as_of = (f"'{sheet}'!{letters[k]}{b.row}" for k in ("current", "as_of"))
        if outcome.ok:
            value = float(outcome.value)  # type: ignore[arg-type]
            data.append(
                {"range": current, "values": [[int(value) if value.is_integer() else value]]}
            )
            data.append({"range": as_of, "values": [[serial(outcome.as_of)]]})  # type: ignore[arg-type]
            filled += 1
        else:
            old = old_as_of.get(b.row)
            data.append({"range": as_of, "values": [[failure_text(old, outcome.error)]]})
            failed += 1
    if not data:
        return WorkbookResult(book.name, "unchanged")
    try:
        unchanged = bool(book.modified) and modified_now == book.modified
        moved = "" if unchanged else _rows_moved(book)
        if moved:
            return WorkbookResult(book.name, "skipped", error=moved)
        book.api.values_update(book.sheet_id, data, f"Google Sheet {book.name}", raw=True)
    except OkrError as exc:
        return WorkbookResult(book.name, "skipped", filled, failed, _oneline(exc))
    return WorkbookResult(book.name, "written", filled, failed)


def _rows_moved(book: BoundSheet) -> str:
    """Why the sheet's rows no longer match what was read ('' when they do)."""
    letter = dict(book.table.letters)["id"]
    last = max(i.where.row for i in book.table.items)
    sheet = book.table.sheet.replace("'", "''")
    (found,) = book.api.batch_get(
        book.sheet_id, [f"'{sheet}'!{letter}1:{letter}{last}"], f"Google Sheet {book.name}"
    )
    now = [row[0] if row else "" for row in found.get("values", [])]
    for item in book.table.items:
        r = item.where.row
        there = str(leading_id(now[r - 1]) or "") if r - 1 < len(now) else ""
        if there != item.id:
            return (
                f"rows moved since it was read ({item.id} was in row {r}, now "
                f"{there or 'nothing'}); nothing written, run the refresh again"
            )
    return ""


def write_all(
    books: Sequence[BoundSheet],
    outcomes: dict[tuple[str, str], Outcome],
    when: datetime,
    progress: Callable[[str], None] | None = None,
) -> list[WorkbookResult]:
    """Write every sheet; one failing sheet never stops the others.

    Each source is listed from Drive once, just before its first sheet is written.
    """
    out = []
    listed: dict[int, dict[str, str]] = {}
    for book in books:
        modified_now = None
        if book.relist is not None and book.modified and book.bindings:
            key = id(book.relist)
            if key not in listed:
                try:
                    listed[key] = book.relist()
                except OkrError:
                    listed[key] = {}  # Drive unreachable: every sheet checks its IDs
            modified_now = listed[key].get(book.sheet_id)
        out.append(write_bound(book, outcomes, when, modified_now))
        if progress is not None:
            progress(book.name)
    return out


def _oneline(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
