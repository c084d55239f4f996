"""An xlsxwriter workbook whose parts are compressed while its sheets are being written.

In constant-memory mode xlsxwriter keeps a sheet's rows in a temporary
file, copies them into the sheet's part on ``close`` and only then
compresses every part, on the thread that wrote them: for a company
workbook about a fifth of the run. ``FastWorkbook`` gives each
``FastWorksheet`` a ``sync.xlsx.deflate.Stream`` for its rows and links
instead, compressed on a background thread as they come; on ``close``
xlsxwriter writes the other parts as usual (through ``_get_packager``, its
hook for another packager) and the archive is laid out from both. The parts
hold the same bytes as stock xlsxwriter's; only their compression differs.

Without constant-memory mode, or on an xlsxwriter without the private parts
this needs (``sync.xlsx.fast_sheet.FAST``), it is xlsxwriter's workbook.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError, FileSizeError

from sync.xlsx.deflate import Spool, Stream, write_zip
from sync.xlsx.fast_sheet import FAST, FastWorksheet

try:
    from xlsxwriter.packager import Packager
except ImportError:  # an xlsxwriter without it: the stock workbook
    Packager = object  # type: ignore[assignment,misc]

#: True when worksheets and packager have the private parts streaming needs.
STREAMING = (
    FAST and hasattr(xlsxwriter.Workbook, "_get_packager") and hasattr(Packager, "_create_package")
)


class _HeldPackager(Packager):  # type: ignore[misc,valid-type]
    """xlsxwriter's packager, handing the parts it wrote to the workbook instead of the zip."""

    def __init__(self, book: FastWorkbook) -> None:
        super().__init__()
        self._book = book

    def _create_package(self) -> list:
        self._book._parts = super()._create_package()
        return []  # xlsxwriter's zip stays empty; FastWorkbook.close writes the real one


class FastWorkbook(xlsxwriter.Workbook):
    """``xlsxwriter.Workbook`` with ``FastWorksheet`` sheets whose parts compress as they go."""

    def __init__(self, filename: Any, options: dict | None = None) -> None:
        """The same arguments as ``xlsxwriter.Workbook``."""
        super().__init__(filename, options)
        streaming = STREAMING and self.constant_memory and not self.in_memory
        self._spool = Spool(self.tmpdir) if streaming else None
        self._parts: list | None = None
        #: the column settings its sheets share (``FastWorksheet.finish``)
        self._columns: dict = {}

    def add_worksheet(self, name: str | None = None, worksheet_class: type | None = None):
        """``add_worksheet``, a ``FastWorksheet`` by default, its rows streamed when it can."""
        sheet = super().add_worksheet(name, worksheet_class or FastWorksheet)
        if hasattr(sheet, "_column_cache"):
            sheet._column_cache = self._columns
        if self._spool is not None and hasattr(sheet, "stream_rows"):
            sheet.stream_rows(self._spool)
        return sheet

    def _get_packager(self):  # type: ignore[override]
        return _HeldPackager(self) if self._spool is not None else super()._get_packager()

    def close(self) -> None:
        """Write the workbook: xlsxwriter's parts, then the archive of them all."""
        spool = self._spool
        if spool is None or self.fileclosed:
            super().close()
            return
        try:
            super().close()  # writes every part but the rows, and an empty zip
            spool.wait()
            parts = self._parts or []
            holes = {s.part_path: s.holes for s in self.worksheets() if getattr(s, "holes", None)}
            layout = [
                (xml_name, _segments(path, holes.get(path, ()))) for path, xml_name, _ in parts
            ]
            if hasattr(self.filename, "write"):
                write_zip(self.filename, layout, spool)
            else:
                with open(self.filename, "wb") as out:
                    write_zip(out, layout, spool)
        except OSError as exc:
            raise FileCreateError(exc) from None
        except ValueError as exc:
            too_big = f"{exc}: the workbook is too large for a zip without zip64"
            raise FileSizeError(too_big) from None
        finally:
            for path, _, _ in self._parts or []:
                if isinstance(path, str):
                    Path(path).unlink(missing_ok=True)
            spool.close()


def _segments(path: str, holes: list[tuple[int, Stream]]) -> list[bytes | Stream]:
    """The part written at *path*, with each stream in its place (byte offsets in the file)."""
    with open(path, "rb") as fh:
        data = fh.read()
    os.unlink(path)
    out: list[bytes | Stream] = []
    at = 0
    for offset, stream in holes:
        out += [data[at:offset], stream]
        at = offset
    out.append(data[at:])
    return out
