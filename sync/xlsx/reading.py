"""Reading department workbooks safely and fast (python-calamine).

Every way a file can be wrong (missing, not a workbook, an old .xls,
password-protected, corrupt, a zip that would expand past the limit, no OKRs
sheet, missing headers) becomes one ``InputError`` line naming the file and
the fix. The zip directory is checked before anything is parsed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineWorkbook

from okr.reading import Table, TableError, read_table
from okr.schema import SHEET, SHEET_SYNONYMS, normalise
from sync.errors import InputError
from sync.xlsx.checkins import with_checkins

#: Refuse workbooks whose parts would expand past this many bytes in memory.
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def read_workbook(path: str | Path, *, name: str | None = None) -> Table:
    """Read the OKR table of the workbook at *path*; *name* labels it in problems."""
    path = Path(path)
    label = name or path.name
    try:
        with path.open("rb") as fh:
            check_container(fh, label)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{label}: is a folder, not a workbook") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied; make the file readable") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    # from_path is markedly faster than from_filelike for the same file.
    return _read_book(lambda: CalamineWorkbook.from_path(str(path)), label)


def read_workbook_bytes(data: bytes, name: str) -> Table:
    """Read the OKR table of a workbook given as bytes (an upload, a stored version)."""
    check_container(io.BytesIO(data), name)
    return _read_book(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)), name)


def _read_book(open_book: Callable[[], CalamineWorkbook], name: str) -> Table:
    try:
        book = open_book()
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        raise InputError(
            f"{name}: corrupt or unsupported workbook ({_reason(exc)}); "
            "open it in Excel and save it again as .xlsx"
        ) from None
    sheet = find_okr_sheet(book.sheet_names)
    if sheet is None:
        raise InputError(
            f"{name}: has no sheet named {SHEET} (sheets: {', '.join(book.sheet_names)}); "
            "rename the OKR sheet or start from okr_template.xlsx"
        )
    try:
        grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{name}: sheet {sheet} cannot be read ({_reason(exc)})") from None
    try:
        table = read_table(grid, name, sheet)
    except TableError as exc:
        raise InputError(f"{name}: sheet {sheet}: {exc}") from None
    return with_checkins(book, table)


def check_container(fh: BinaryIO, name: str) -> None:
    """Refuse what is not an .xlsx zip, or whose zip would expand past the limits.

    Only the first bytes and the zip's central directory are read.
    """
    head = fh.read(8)
    fh.seek(0)
    if head == _OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in fh.read():
            raise InputError(
                f"{name}: is password-protected; save a copy without a password "
                "(File > Info > Protect Workbook) and use that"
            )
        raise InputError(f"{name}: is an old .xls workbook; save it as .xlsx")
    if not head.startswith(_ZIP_MAGIC):
        raise InputError(f"{name}: is not an .xlsx workbook; save it as Excel Workbook (.xlsx)")
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise InputError(
            f"{name}: is damaged (not a readable zip); open it in Excel and save it again"
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{name}: has {len(infos)} parts, over the limit of {MAX_MEMBERS}")
    expanded = sum(i.file_size for i in infos)
    if expanded > MAX_EXPANDED_BYTES:
        raise InputError(
            f"{name}: would expand to {expanded // 2**20} MB, over the limit of "
            f"{MAX_EXPANDED_BYTES // 2**20} MB; remove pictures or unused sheets"
        )
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise InputError(f"{name}: is a zip but not an .xlsx workbook (no xl/workbook.xml)")


def find_okr_sheet(names: list[str]) -> str | None:
    """The sheet holding the OKR table: ``OKRs`` or an accepted variant, else None."""
    wanted = {normalise(s) for s in SHEET_SYNONYMS}
    for sheet in names:
        if normalise(sheet) in wanted:
            return sheet
    return None


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__
