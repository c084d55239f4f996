"""Writing metric values into one workbook in place, keeping everything else.

openpyxl opens the workbook from the bytes that were read, only the Current
and As of cells of bound rows are written (through the formula-injection
guard), ``fullCalcOnLoad`` is set so Excel recomputes, and the file is saved
to a temporary file and renamed over the original, whose previous version
stays as ``NAME.xlsx.bak``. A workbook open in Excel or LibreOffice,
read-only, changed meanwhile, or holding parts openpyxl would drop (charts,
pictures, pivot tables) is reported and left untouched.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from okr.periods import Period
from okr.reading import Table, from_excel_serial
from okr.schema import column_for_header
from sync.errors import InputError
from sync.metrics.connectors import shorten
from sync.metrics.measure import Outcome
from sync.xlsx.safe_values import write_value

AS_OF_FORMAT = "yyyy-mm-dd hh:mm"
NOTE_AUTHOR = "okr metrics"
_UNKEPT = ("xl/charts/", "xl/media/", "xl/pivotTables/", "xl/pivotCache/", "xl/slicers/",
           "xl/timelines/", "xl/drawings/drawing", "xl/chartsheets/",
           # macros (a macro workbook saved under an .xlsx name), controls, embedded objects
           "xl/vbaProject.bin", "xl/activeX/", "xl/ctrlProps/", "xl/embeddings/")  # fmt: skip
#: what the parts are called for a person
_PART_NAMES = {"media": "pictures", "vbaProject.bin": "macros (vbaProject.bin)",
               "activeX": "ActiveX controls", "ctrlProps": "form controls",
               "embeddings": "embedded objects", "drawings": "drawings"}  # fmt: skip
_OLD_AS_OF = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?)")


@dataclass(frozen=True)
class Binding:
    """A key-result row whose Current comes from *metric* over *period*."""

    row: int
    item_id: str
    metric: str
    period: Period


@dataclass
class BoundWorkbook:
    """A workbook as read, with the rows bound to metrics; what a fill worker receives."""

    path: Path
    name: str
    stamp: tuple[int, int]
    data: bytes
    table: Table
    bindings: list[Binding]


@dataclass(frozen=True)
class WorkbookResult:
    """What happened to one workbook: ``written``, ``unchanged`` or ``skipped`` (why in error)."""

    name: str
    state: str
    filled: int = 0
    failed: int = 0
    error: str = ""


def unkept_parts(data: bytes) -> list[str]:
    """Parts of an .xlsx that openpyxl would drop on save (charts, pictures, pivots...)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
    parts = {n.split("/")[1] for n in names if n.startswith(_UNKEPT)}
    return sorted(_PART_NAMES.get(p, p) for p in parts)


def bound_keys(book: BoundWorkbook) -> set[tuple[str, str]]:
    """The (metric, period label) pairs *book* needs."""
    return {(b.metric, b.period.label) for b in book.bindings}


def fill_workbook(
    book: BoundWorkbook, outcomes: dict[tuple[str, str], Outcome], when: datetime
) -> WorkbookResult:
    """Write Current and As of of *book*'s bound rows from *outcomes* and save it in place.

    When every outcome is a value (no failure note to add or remove), only the
    sheet's cells are edited (``sync.xlsx.patch``); otherwise openpyxl rewrites
    the workbook.
    """
    if not any(o.state in ("ok", "failed") for o in outcomes.values()):
        return WorkbookResult(book.name, "unchanged")  # nothing measurable yet

    lost = unkept_parts(book.data)
    if lost:
        reason = (
            f"it holds {', '.join(lost)}, which an in-place fill would drop; type Current by hand"
        )
        return WorkbookResult(book.name, "skipped", error=reason)
    patched = _patched(book, outcomes)
    if patched is not None:
        result, data = patched
        if data is None:
            return result
        try:
            replace_in_place(book.path, book.stamp, lambda tmp: tmp.write_bytes(data))
        except InputError as exc:
            return WorkbookResult(book.name, "skipped", result.filled, 0, str(exc))
        return result
    return _rewrite(book, outcomes, when)


def _patched(
    book: BoundWorkbook, outcomes: dict[tuple[str, str], Outcome]
) -> tuple[WorkbookResult, bytes | None] | None:
    """The result and new bytes of a cell-only fill, or None when openpyxl must do it."""
    from sync.xlsx.patch import SheetPatch, Unpatchable

    try:
        sheet = SheetPatch(book.data, book.table.sheet)
        letters = dict(book.table.letters)
        for key in ("current", "as_of"):
            header = sheet.value(f"{letters.get(key, 'A')}{book.table.header_row}")
            if key not in letters or column_for_header(header) != key:
                name = key.replace("_", " ").capitalize()
                error = f"no {name} column found; add it"
                return WorkbookResult(book.name, "skipped", error=error), None
        notes = sheet.note_authors()
        filled = 0
        for b in book.bindings:
            outcome = outcomes.get((b.metric, b.period.label))
            if outcome is None or outcome.state == "skipped":
                continue
            current, as_of = f"{letters['current']}{b.row}", f"{letters['as_of']}{b.row}"
            if not outcome.ok or notes.get(as_of) == NOTE_AUTHOR:
                return None  # a note to write or to clear: openpyxl handles notes
            value = float(outcome.value)  # type: ignore[arg-type]
            sheet.set_number(current, value)
            stamp = sheet.serial(outcome.as_of.replace(second=0))  # type: ignore[union-attr]
            sheet.set_number(as_of, stamp, AS_OF_FORMAT)
            filled += 1
        return WorkbookResult(book.name, "written", filled), sheet.save()
    except (Unpatchable, ValueError, KeyError, zipfile.BadZipFile):
        return None


def _rewrite(
    book: BoundWorkbook, outcomes: dict[tuple[str, str], Outcome], when: datetime
) -> WorkbookResult:
    """The fill through openpyxl: load, write the cells and notes, save."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(book.data), rich_text=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many unrelated types
        reason = f"openpyxl cannot open it ({type(exc).__name__}); save it again in Excel"
        return WorkbookResult(book.name, "skipped", error=reason)
    ws = wb[book.table.sheet]
    letters = dict(book.table.letters)
    for key in ("current", "as_of"):
        header = ws[f"{letters.get(key, 'A')}{book.table.header_row}"].value
        if key not in letters or column_for_header(header) != key:
            name = key.replace("_", " ").capitalize()
            return WorkbookResult(book.name, "skipped", error=f"no {name} column found; add it")
    filled = failed = 0
    for b in book.bindings:
        outcome = outcomes.get((b.metric, b.period.label))
        if outcome is None or outcome.state == "skipped":
            continue
        current, as_of = ws[f"{letters['current']}{b.row}"], ws[f"{letters['as_of']}{b.row}"]
        if outcome.ok:
            value = float(outcome.value)  # type: ignore[arg-type]
            write_value(current, int(value) if value.is_integer() else value)
            write_value(as_of, outcome.as_of.replace(second=0))  # type: ignore[union-attr]
            as_of.number_format = AS_OF_FORMAT
            if as_of.comment is not None and as_of.comment.author == NOTE_AUTHOR:
                as_of.comment = None
            filled += 1
        else:
            _mark_failed(as_of, outcome, when)
            failed += 1
    try:
        save_in_place(wb, book.path, book.stamp)
    except InputError as exc:
        return WorkbookResult(book.name, "skipped", filled, failed, str(exc))
    return WorkbookResult(book.name, "written", filled, failed)


def _old_as_of(value: object) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{datetime.combine(value, time()):%Y-%m-%d %H:%M}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{from_excel_serial(value):%Y-%m-%d %H:%M}"
    m = _OLD_AS_OF.match(str(value or ""))
    return m.group(1) if m else ""


def failure_text(old: object, reason: str) -> str:
    """The As of text of a failed metric: ``2026-11-20 09:30 (failed: timeout)``."""
    short = shorten(reason.replace("(", "[").replace(")", "]"), 60)
    stamp = _old_as_of(old)
    return f"{stamp} (failed: {short})" if stamp else f"(failed: {short})"


def _mark_failed(cell: Any, outcome: Outcome, when: datetime) -> None:
    from openpyxl.comments import Comment

    write_value(cell, failure_text(cell.value, outcome.error))
    note = (
        f"okr metrics refresh {when:%Y-%m-%d %H:%M}: metric {outcome.metric} failed: "
        f"{outcome.error}. Current is the last good value."
    )
    cell.comment = Comment(note, NOTE_AUTHOR, height=120, width=320)


def save_in_place(workbook: Any, path: Path, stamp: tuple[int, int] | None = None) -> None:
    """Save *workbook* over *path* atomically, keeping the previous file as ``NAME.bak``.

    Raises ``InputError`` as ``replace_in_place`` does.
    """

    def write(tmp: Path) -> None:
        workbook.calculation.fullCalcOnLoad = True
        workbook.save(tmp)

    replace_in_place(path, stamp, write)


def replace_in_place(
    path: Path, stamp: tuple[int, int] | None, write: Callable[[Path], object]
) -> None:
    """Have *write* make the new file next to *path*, check it, and rename it over *path*.

    The previous file stays as ``NAME.bak``. Raises ``InputError`` (nothing
    written) when the file is open in Excel or LibreOffice, read-only, or
    changed since *stamp* (mtime_ns, size).
    """
    for lock in (path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            raise InputError(
                f"{path.name} is open in a spreadsheet program ({lock.name}); "
                "close it and run again"
            )
    stat = path.stat()
    writable = stat.st_mode & 0o222 and os.access(path, os.W_OK)
    if not writable or not os.access(path.parent, os.W_OK):
        raise InputError(
            f"{path.name} is read-only; make it (and its folder) writable and run again"
        )
    if stamp is not None and (stat.st_mtime_ns, stat.st_size) != stamp:
        raise InputError(f"{path.name} changed while refreshing; run again")
    tmp = path.with_name(f".{path.name}.okr-{os.getpid()}.tmp")
    try:
        write(tmp)
        with zipfile.ZipFile(tmp) as zf:
            if zf.testzip() is not None:
                raise InputError(f"{path.name}: the new file failed its check; nothing was changed")
        shutil.copymode(path, tmp)
        shutil.copy2(path, path.with_name(f"{path.name}.bak"))
        os.replace(tmp, path)
    except PermissionError:
        raise InputError(
            f"{path.name} is locked by another program; close it and run again"
        ) from None
    except OSError as exc:
        raise InputError(
            f"{path.name} could not be written ({exc.strerror or exc}); nothing was changed"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
