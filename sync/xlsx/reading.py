"""Reading department workbooks safely and fast (python-calamine).

Every way a file can be wrong (missing, not a workbook, an old .xls,
password-protected, corrupt, a zip that would expand past the limit, no OKRs
sheet, missing headers) becomes one ``InputError`` line naming the file and
the fix. The zip directory is checked before anything is parsed.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineWorkbook

from okr.reading import Table, TableError, read_ids, read_table
from okr.schema import SHEET, SHEET_SYNONYMS, normalise
from okr.settings import Settings
from sync.errors import InputError
from sync.xlsx.bounds import column_name, sheet_extent, sheet_part, within
from sync.xlsx.checkins import with_checkins

#: Refuse workbooks whose parts would expand past this many bytes in memory.
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
#: Refuse an OKRs sheet with content right of this column (IV, Excel's old last column) ...
MAX_COLUMNS = 256
#: ... or whose grid (last row x last column) is larger than this.
MAX_CELLS = 20_000 * MAX_COLUMNS
#: The row limit when no settings say otherwise (``[settings] max_rows``).
MAX_ROWS = Settings().max_rows
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def read_workbook(
    path: str | Path,
    *,
    name: str | None = None,
    max_rows: int = MAX_ROWS,
    decimal: str | None = None,
    parents: bool = False,
) -> Table:
    """Read the OKR table of the workbook at *path*; *name* labels it in problems.

    *max_rows* is ``[settings] max_rows``; *decimal* the ``[organisation] decimal`` mark.
    With *parents* (a workbook that only supplies parent IDs), the company
    workbook is accepted too: the IDs of its ``Company`` sheet are read.
    """
    path = Path(path)
    label = name or path.name
    with ExitStack() as stack:
        try:
            fh = stack.enter_context(open_regular(path, label))
            zf = check_container(fh, label)
        except FileNotFoundError:
            raise InputError(f"{label}: no such file; check the path") from None
        except PermissionError:
            raise InputError(f"{label}: permission denied; make the file readable") from None
        except OSError as exc:
            raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
        # from_path is markedly faster than from_filelike for the same file.
        return _read_book(
            lambda: CalamineWorkbook.from_path(str(path)), label, zf, max_rows, decimal, parents
        )


def read_workbook_bytes(
    data: bytes, name: str, *, max_rows: int = MAX_ROWS, decimal: str | None = None
) -> Table:
    """Read the OKR table of a workbook given as bytes (an upload, a stored version)."""
    zf = check_container(io.BytesIO(data), name)
    return _read_book(
        lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)), name, zf, max_rows, decimal
    )


def open_regular(path: Path, label: str) -> BinaryIO:
    """Open *path* for reading only if it is a regular file; refuse pipes, devices, folders.

    The file is opened without blocking (a named pipe would wait for a
    writer forever) and checked on the open descriptor, so a swap between
    the check and the read cannot slip a pipe in.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{label}: is a folder, not a workbook")
        if not stat.S_ISREG(mode):
            raise InputError(
                f"{label}: is not a regular file (a pipe, device or socket); "
                "give the path of a saved .xlsx file"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_book(
    open_book: Callable[[], CalamineWorkbook],
    name: str,
    zf: zipfile.ZipFile,
    max_rows: int,
    decimal: str | None,
    parents: bool = False,
) -> Table:
    try:
        book = open_book()
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        raise InputError(
            f"{name}: corrupt or unsupported workbook ({_reason(exc)}); "
            "open it in Excel and save it again as .xlsx"
        ) from None
    sheet = find_okr_sheet(book.sheet_names)
    read = read_table
    company = _company_sheet(book.sheet_names) if sheet is None and parents else None
    if company is not None:
        sheet, read = company, _read_ids  # the company workbook: it holds every ID
    if sheet is None:
        also = "; for --parents, a company workbook (with its Company sheet) works too"
        raise InputError(
            f"{name}: has no sheet named {SHEET} (sheets: {', '.join(book.sheet_names)}); "
            f"rename the OKR sheet or start from okr_template.xlsx{also if parents else ''}"
        )
    errors = check_extent(zf, book.sheet_names.index(sheet), name, sheet, max_rows)
    try:
        grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{name}: sheet {sheet} cannot be read ({_reason(exc)})") from None
    for r, c, code in errors:
        if r < len(grid) and c < len(grid[r]) and grid[r][c] == "":
            grid[r][c] = code  # shown as the text #N/A, which the table reader names
    try:
        table = read(grid, name, sheet, decimal=decimal)
    except TableError as exc:
        raise InputError(f"{name}: sheet {sheet}: {exc}") from None
    # The log is read the same way, so it is bounded the same way.
    return with_checkins(
        book,
        table,
        lambda log: check_extent(zf, book.sheet_names.index(log), name, log, max_rows),
    )


def check_extent(
    zf: zipfile.ZipFile, index: int, name: str, sheet: str, max_rows: int
) -> tuple[tuple[int, int, str], ...]:
    """Refuse a sheet whose used range is past the row limit or too big to hold as a grid.

    Readers build the whole grid from A1 to the last cell, so this runs
    before any of them does (see ``sync.xlsx.bounds``). Returns the sheet's
    error cells (``#N/A``...), which the reader shows as empty.
    """
    part = sheet_part(zf, index)
    if part is None or part not in zf.namelist():
        return ()  # the reader finds the sheet its own way and says what is wrong
    if max_rows * MAX_COLUMNS <= MAX_CELLS:
        errors = within(zf, part, max_rows=max_rows, max_columns=MAX_COLUMNS)
        if errors is not None:
            return errors
    # Something lies far out (or cells are placed by position): look closely,
    # counting only cells with values (formatting alone does not count).
    extent = sheet_extent(zf, part, stop_after_rows=max_rows)
    last = f"{column_name(extent.columns)}{extent.rows}"
    if extent.rows > max_rows:
        raise InputError(
            f"{name}: sheet {sheet} has content below row {max_rows}, the row limit "
            f"(at {last}): delete the rows below the table and save again "
            "(or raise [settings] max_rows)"
        )
    if extent.columns > MAX_COLUMNS or extent.cells > MAX_CELLS:
        raise InputError(
            f"{name}: sheet {sheet} has content out to cell {last}, right of column "
            f"{column_name(MAX_COLUMNS)} or a grid over {MAX_CELLS:,} cells: delete what "
            "lies right of the table and save again"
        )
    return extent.errors


def check_container(fh: BinaryIO, name: str) -> zipfile.ZipFile:
    """Refuse what is not an .xlsx zip, or whose zip would expand past the limits.

    Only the first bytes, the zip's central directory and the start of each
    XML part are read. Returns the zip, open over *fh*, for reading its parts.
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
    if not head:
        raise InputError(f"{name}: is empty (0 bytes); save the workbook again or upload it again")
    if not head.startswith(_ZIP_MAGIC):
        raise InputError(f"{name}: is not an .xlsx workbook; save it as Excel Workbook (.xlsx)")
    try:
        zf = zipfile.ZipFile(fh)
    except zipfile.BadZipFile:
        raise InputError(
            f"{name}: is damaged (not a readable zip); open it in Excel and save it again"
        ) from None
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{name}: has {len(infos)} parts, over the limit of {MAX_MEMBERS}")
    expanded = sum(i.file_size for i in infos)
    if expanded > MAX_EXPANDED_BYTES:
        raise InputError(
            f"{name}: would expand to {expanded // 2**20} MB, over the limit of "
            f"{MAX_EXPANDED_BYTES // 2**20} MB; remove pictures or unused sheets"
        )
    if any(i.filename == "mimetype" for i in infos) and not any(
        i.filename == "xl/workbook.xml" for i in infos
    ):
        # Only a file whose name says .xlsx is "named" wrongly; a plain .ods is just unsupported.
        suffix = Path(name).suffix
        named = f" named {suffix}" if suffix and suffix.lower() != ".ods" else ""
        raise InputError(
            f"{name}: is an OpenDocument spreadsheet (.ods){named}; "
            "save it as Excel Workbook (.xlsx)"
        )
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise InputError(f"{name}: is a zip but not an .xlsx workbook (no xl/workbook.xml)")
    _refuse_dtd(zf, infos, name)
    return zf


def _refuse_dtd(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse XML parts that declare a DTD: no spreadsheet program writes one.

    A DTD is how XML entity attacks (billion laughs, external entities that
    read local files) begin; refusing it by name is clearer than whatever a
    parser says about the entity.
    """
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")) or info.file_size == 0:
            continue
        try:
            with zf.open(info) as part:
                head = part.read(1024)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            continue  # the reader says what is wrong with it
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise InputError(
                f"{name}: part {info.filename} declares a DTD (<!DOCTYPE>), which "
                "spreadsheet programs never write; refused as unsafe: save the "
                "workbook again from Excel or LibreOffice"
            )


def _company_sheet(names: list[str]) -> str | None:
    """The company workbook's Company sheet, in whichever language it was written."""
    from sync.company.words import every_sheet_name  # only for --parents files

    return next((n for n in every_sheet_name("company") if n in names), None)


def _read_ids(grid: list, name: str, sheet: str, *, decimal: str | None = None) -> Table:
    return read_ids(grid, name, sheet)


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
