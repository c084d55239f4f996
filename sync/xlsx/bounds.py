"""The used range of a worksheet, found from its XML before any reader builds the grid.

Spreadsheet readers (python-calamine included) hold a sheet as a dense grid
from its first to its last cell: one stray value in XFD1048576 asks for 17
billion cells and the process aborts. ``sheet_extent`` streams the sheet's
XML from the zip and returns the last row and column that hold a cell, so
the caller can refuse a sheet past the limits with one line instead.

Only start tags are looked at (``<row r="5">``, ``<c r="B5">``, with or
without a namespace prefix); a cell without ``r`` takes the next position,
as the format says. Self-closing cells (``<c r="B5" s="1"/>``: formatting
only, no value) do not count, since readers skip them too.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
import zipfile
from dataclasses import dataclass

_CHUNK = 1 << 20
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R = re.compile(rb'\br\s*=\s*["\']([A-Za-z]{0,3})([0-9]+)["\']')
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sheet\s[^>]*>")
_REL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?Relationship\s[^>]*>")


def _attr(tag: bytes, name: bytes) -> str | None:
    m = re.search(rb"(?:^|[\s:])" + re.escape(name) + rb'\s*=\s*["\']([^"\']*)["\']', tag)
    return html.unescape(m.group(1).decode("utf-8", "replace")) if m else None


def column_index(letters: str) -> int:
    """1-based column number of *letters* (A -> 1, XFD -> 16384)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_name(index: int) -> str:
    """Letters of the 1-based column *index* (1 -> A)."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class Extent:
    """The last row and column (1-based) that hold a cell; 0 when the sheet is empty."""

    rows: int
    columns: int
    #: cells holding an error value, as (0-based row, 0-based column, ``#N/A``)
    errors: tuple[tuple[int, int, str], ...] = ()

    @property
    def cells(self) -> int:
        """The size of the grid a reader would build."""
        return self.rows * self.columns


def sheet_part(zf: zipfile.ZipFile, index: int) -> str | None:
    """The zip member of the *index*-th sheet of the workbook, or None when it is not found."""
    try:
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheets = _SHEET.findall(book)
    if index >= len(sheets):
        return None
    rid = _attr(sheets[index], b"id")
    for rel in _REL.findall(rels):
        if _attr(rel, b"Id") == rid:
            target = _attr(rel, b"Target") or ""
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


# A cell whose value is an error (t="e"), with or without its formula before the value.
_ERROR_CELL = re.compile(
    rb'<(?:[A-Za-z_][\w.\-]*:)?c\s(?=[^>]*\bt="e")[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*>'
    rb"(?:<(?:[A-Za-z_][\w.\-]*:)?f\b[^>]*?(?:/>|>[^<]*</(?:[A-Za-z_][\w.\-]*:)?f>))?"
    rb"<(?:[A-Za-z_][\w.\-]*:)?v>([^<]{1,20})</"
)


def above(limit: int) -> str:
    """A regular expression for the whole numbers greater than *limit* (no leading zeros)."""
    digits = str(limit)
    parts = [f"[1-9][0-9]{{{len(digits)},}}"]  # more digits
    for i, d in enumerate(digits):
        if d != "9":
            low = str(int(d) + 1)
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[{low}-9][0-9]{{{rest}}}")
    return "(?:" + "|".join(parts) + ")"


def up_to(limit: int) -> str:
    """A regular expression for the whole numbers from 1 to *limit* (no leading zeros)."""
    if limit < 1:
        return "(?!)"
    digits = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []  # fewer digits
    for i, d in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(d) > low:
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[{low}-{int(d) - 1}][0-9]{{{rest}}}")
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


def columns_up_to(limit: int) -> str:
    """A regular expression for the column names from A to the *limit*-th (upper case)."""
    if limit < 1:
        return "(?!)"
    last = column_name(limit)
    # Every string of n capitals names a column, and among them the order is alphabetical.
    parts = [f"[A-Z]{{1,{len(last) - 1}}}"] if len(last) > 1 else []
    for i, ch in enumerate(last):
        if ch != "A":
            parts.append(f"{last[:i]}[A-{chr(ord(ch) - 1)}][A-Z]{{{len(last) - i - 1}}}")
    parts.append(last)
    return "(?:" + "|".join(parts) + ")"


_ERROR_MARK = re.compile(rb't="e"')


def _errors(body: bytes) -> list[tuple[int, int, str]]:
    """The error cells in *body*: readers show them as empty, so they are found here."""
    if _ERROR_MARK.search(body) is None:
        return []
    return [
        (int(r) - 1, column_index(c.decode()) - 1, v.decode("ascii", "replace"))
        for c, r, v in _ERROR_CELL.findall(body)
    ]


@functools.lru_cache(maxsize=8)
def _screens(max_rows: int, max_columns: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Searches for a cell tag, plain and prefixed, that does not begin with a near place.

    A near place is ``r="B5"`` right after the tag name and one space, in
    column *max_columns* or before and in row *max_rows* or above.
    """
    near = f' r="{columns_up_to(max_columns)}{up_to(max_rows)}"'
    # Each search starts with a literal, which the regex engine skips to fast.
    plain = re.compile(f"<c(?!{near})[\\s>/]".encode())
    prefixed = re.compile(f":c(?!{near})[\\s>/]".encode())
    return plain, prefixed


def within(
    zf: zipfile.ZipFile, member: str, *, max_rows: int, max_columns: int
) -> tuple[tuple[int, int, str], ...] | None:
    """The sheet's error cells when no cell lies past *max_rows* or *max_columns*; else None.

    Only searches run over the XML (no Python work per cell), so a normal
    sheet costs about what inflating it does. None also when some cell has
    no plain ``r="B5"`` first (its place then depends on what comes before
    it, or it is written in a way no spreadsheet program writes):
    ``sheet_extent`` decides then.
    """
    # One search per tag form finds anything that needs a closer look: a cell
    # past the limits, a cell without a leading r="B5" (Excel, LibreOffice,
    # openpyxl and xlsxwriter all write one), or a namespace prefix.
    plain, prefixed = _screens(max_rows, max_columns)
    # The part is at most the container's expansion limit: read it in one go.
    body = zf.read(member)
    if plain.search(body) or prefixed.search(body):
        return None
    return tuple(_errors(body))


def sheet_extent(zf: zipfile.ZipFile, member: str, *, stop_after_rows: int) -> Extent:
    """Scan *member* for the last row and column holding a cell with a value.

    Stops as soon as a row past *stop_after_rows* holds a cell (the caller
    refuses the sheet then), so a million-row sheet costs only the rows up
    to the limit.
    """
    row = col = 0
    max_row = max_col = 0
    errors: list[tuple[int, int, str]] = []
    tail = b""
    with zf.open(member) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = tail + chunk
            if not data:
                break
            # Keep an unfinished tag for the next chunk.
            cut = data.rfind(b"<") if chunk else len(data)
            if cut <= 0 and chunk:
                cut = len(data) if b">" in data[-1:] else 0
                if cut == 0:
                    tail = data
                    continue
            body, tail = data[:cut], data[cut:]
            errors += _errors(body)
            for m in _TAG.finditer(body):
                attrs = m.group(2)
                r = _R.search(attrs)
                if m.group(1) == b"row":
                    row = int(r.group(2)) if r and not r.group(1) else row + 1
                    col = 0
                    continue
                if r and r.group(1):
                    col = column_index(r.group(1).decode())
                    row = int(r.group(2))
                else:
                    col += 1
                if attrs.endswith(b"/"):
                    continue  # formatting only: no value
                max_row = max(max_row, row)
                max_col = max(max_col, col)
                if max_row > stop_after_rows:
                    return Extent(max_row, max_col, tuple(errors))
            if not chunk:
                break
    return Extent(max_row, max_col, tuple(errors))
