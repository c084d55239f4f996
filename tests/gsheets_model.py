"""The data model of the Google stand-in: spreadsheets, grids, A1 ranges, field masks.

Only what the calls of ``tests/gsheets_standin.py`` need, following the
Sheets v4 and Drive v3 reference: a cell holds a value (text, number, bool)
or a formula (kept as text, not evaluated); values come back trimmed of
trailing empty rows and columns; ranges are echoed as Google spells them
(``Sheet1!A1:B2``, quoted titles only when needed).
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

_ID_CHARS = string.ascii_letters + string.digits + "-_"
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?$")

#: Spreadsheet properties Google returns for a new file (from a recorded answer).
DEFAULT_PROPERTIES: dict[str, Any] = {
    "locale": "en_US",
    "autoRecalc": "ON_CHANGE",
    "timeZone": "Etc/GMT",
    "defaultFormat": {
        "backgroundColor": {"red": 1, "green": 1, "blue": 1},
        "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
        "verticalAlignment": "BOTTOM",
        "wrapStrategy": "OVERFLOW_CELL",
        "textFormat": {
            "foregroundColor": {},
            "fontFamily": "arial,sans,sans-serif",
            "fontSize": 10,
            "bold": False,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "foregroundColorStyle": {"rgbColor": {}},
        },
        "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
    },
    "spreadsheetTheme": {
        "primaryFontFamily": "Arial",
        "themeColors": [
            {"colorType": kind, "color": {"rgbColor": {}}}
            for kind in (
                "TEXT",
                "BACKGROUND",
                "ACCENT1",
                "ACCENT2",
                "ACCENT3",
                "ACCENT4",
                "ACCENT5",
                "ACCENT6",
                "LINK",
            )
        ],
    },
}


def new_id(length: int = 44) -> str:
    """A random ID shaped like a Google file ID."""
    return "".join(secrets.choice(_ID_CHARS) for _ in range(length))


class Clock:
    """Strictly increasing RFC 3339 times with milliseconds, as Drive reports them."""

    def __init__(self) -> None:
        self.last = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> str:
        """The next time, at least one millisecond after the previous one."""
        t = max(datetime.now(UTC), self.last + timedelta(milliseconds=1))
        self.last = t
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


@dataclass
class Formula:
    """A formula cell: its text, starting with '='."""

    text: str


@dataclass
class Sheet:
    """One tab: properties and a sparse grid of cells keyed (row, col), 0-based."""

    sheet_id: int
    title: str
    index: int
    rows: int = 1000
    cols: int = 26
    frozen_rows: int = 0
    frozen_cols: int = 0
    hidden: bool = False
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    validations: list[dict] = field(default_factory=list)
    formats: list[dict] = field(default_factory=list)
    conditional_formats: list[dict] = field(default_factory=list)
    protected_ranges: list[dict] = field(default_factory=list)
    row_groups: list[dict] = field(default_factory=list)
    #: cell-level links (userEnteredFormat.textFormat.link.uri), keyed (row, col)
    links: dict[tuple[int, int], str] = field(default_factory=dict)

    def properties(self) -> dict[str, Any]:
        """The SheetProperties resource."""
        grid: dict[str, Any] = {"rowCount": self.rows, "columnCount": self.cols}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_cols:
            grid["frozenColumnCount"] = self.frozen_cols
        if self.row_groups:
            grid["rowGroupControlAfter"] = True
        props = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if self.hidden:
            props["hidden"] = True
        return props

    def used(self) -> tuple[int, int]:
        """Rows and columns up to the last non-empty cell."""
        if not self.cells:
            return 0, 0
        return max(r for r, _ in self.cells) + 1, max(c for _, c in self.cells) + 1


@dataclass
class Spreadsheet:
    """A spreadsheet and its Drive file."""

    id: str
    title: str
    created: str
    modified: str
    parents: list[str] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)
    named_ranges: list[dict] = field(default_factory=list)
    permissions: list[dict] = field(default_factory=list)
    #: accounts (service-account e-mails) refused with 403; empty: everyone may
    denied: set[str] = field(default_factory=set)
    #: the account that created it
    owner: str = ""

    def sheet(self, title: str | None = None, sheet_id: int | None = None) -> Sheet | None:
        """The tab with *title* or *sheet_id* (the first tab when both are None)."""
        for s in self.sheets:
            if (title is None and sheet_id is None) or s.title == title or s.sheet_id == sheet_id:
                return s
        return None

    def resource(self) -> dict[str, Any]:
        """The Spreadsheet resource of ``spreadsheets.get`` without grid data."""
        out: dict[str, Any] = {
            "spreadsheetId": self.id,
            "properties": {"title": self.title, **DEFAULT_PROPERTIES},
            "sheets": [],
        }
        for s in sorted(self.sheets, key=lambda s: s.index):
            entry: dict[str, Any] = {"properties": s.properties()}
            if s.conditional_formats:
                entry["conditionalFormats"] = s.conditional_formats
            if s.protected_ranges:
                entry["protectedRanges"] = s.protected_ranges
            if s.row_groups:
                entry["rowGroups"] = s.row_groups
            out["sheets"].append(entry)
        if self.named_ranges:
            out["namedRanges"] = self.named_ranges
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{self.id}/edit"
        return out


class RangeError(ValueError):
    """A range that does not parse (Google answers 400 'Unable to parse range')."""


def col_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range."""
    return title if _PLAIN_TITLE.match(title) else "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class Area:
    """A rectangle of one sheet, 0-based, end exclusive (None: to the grid's end)."""

    sheet: Sheet
    row0: int
    col0: int
    row1: int | None
    col1: int | None

    def bounded(self) -> tuple[int, int, int, int]:
        """The rectangle clipped to the grid."""
        r1 = self.sheet.rows if self.row1 is None else min(self.row1, self.sheet.rows)
        c1 = self.sheet.cols if self.col1 is None else min(self.col1, self.sheet.cols)
        return self.row0, self.col0, r1, c1

    def a1(self) -> str:
        """The A1 text of the clipped rectangle, e.g. ``Sheet1!A1:Z1000``."""
        r0, c0, r1, c1 = self.bounded()
        title = quote_title(self.sheet.title)
        start = f"{col_letters(c0)}{r0 + 1}"
        end = f"{col_letters(max(c1, c0 + 1) - 1)}{max(r1, r0 + 1)}"
        return f"{title}!{start}" if start == end else f"{title}!{start}:{end}"


def parse_range(book: Spreadsheet, text: str) -> Area:
    """An A1 range (``'My sheet'!A1:B2``, ``Sheet1``, ``A:A``) of *book*, or a named range."""
    text = text.strip()
    title, cells = None, text
    if text.startswith("'"):
        end = text.find("'!") if "'!" in text else len(text) - 1
        if not text.endswith("'") and "'!" not in text:
            raise RangeError(text)
        title = text[1:end].replace("''", "'")
        cells = text[end + 2 :] if "'!" in text else ""
    elif "!" in text:
        title, cells = text.split("!", 1)
    else:
        named = next((n for n in book.named_ranges if n["name"] == text), None)
        if named:
            grid = named["range"]
            sheet = book.sheet(sheet_id=grid.get("sheetId", 0))
            if sheet is None:
                raise RangeError(text)
            return Area(
                sheet,
                grid.get("startRowIndex", 0),
                grid.get("startColumnIndex", 0),
                grid.get("endRowIndex"),
                grid.get("endColumnIndex"),
            )
        if book.sheet(text) is not None:
            title, cells = text, ""
    sheet = book.sheet(title) if title is not None else book.sheet()
    if sheet is None:
        raise RangeError(text)
    if not cells:
        return Area(sheet, 0, 0, None, None)
    first, _, last = cells.partition(":")
    r0, c0 = _cell(first, text)
    if not last:
        return Area(
            sheet,
            r0 or 0,
            c0 or 0,
            (r0 or 0) + 1 if r0 is not None else None,
            (c0 or 0) + 1 if c0 is not None else None,
        )
    r1, c1 = _cell(last, text)
    return Area(
        sheet, r0 or 0, c0 or 0, None if r1 is None else r1 + 1, None if c1 is None else c1 + 1
    )


def _cell(text: str, whole: str) -> tuple[int | None, int | None]:
    m = _CELL.match(text.strip())
    if not m or not (m.group(1) or m.group(2)):
        raise RangeError(whole)
    col = col_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    return row, col


def user_entered(value: Any) -> Any:
    """What Sheets stores for a value sent with valueInputOption USER_ENTERED."""
    if not isinstance(value, str):
        return value
    if value.startswith("="):
        return Formula(value)
    if value.startswith("'"):
        return value[1:]
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    s = value.replace(",", "")
    if _NUMBER.match(s):
        number = float(s[:-1]) / 100 if s.endswith("%") else float(s)
        return int(number) if number.is_integer() and "." not in s and "%" not in s else number
    return value


def rendered(value: Any, option: str) -> Any:
    """A stored cell as valueRenderOption *option* shows it (formulas are not evaluated)."""
    if isinstance(value, Formula):
        return value.text if option == "FORMULA" else ""
    if option == "FORMATTED_VALUE":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_values(area: Area, option: str = "FORMATTED_VALUE") -> list[list[Any]]:
    """The values of *area* as ``values.get`` returns them (trailing empties dropped)."""
    r0, c0, r1, c1 = area.bounded()
    cells = area.sheet.cells
    rows: list[list[Any]] = []
    for r in range(r0, r1):
        row = [rendered(cells[r, c], option) if (r, c) in cells else "" for c in range(c0, c1)]
        while row and row[-1] == "":
            row.pop()
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def write_values(area: Area, values: list[list[Any]], option: str) -> tuple[int, int, int]:
    """Write *values* from the area's top-left; rows, columns and cells updated."""
    sheet = area.sheet
    width = max((len(row) for row in values), default=0)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            key = (area.row0 + i, area.col0 + j)
            if value is None:
                continue
            stored = user_entered(value) if option == "USER_ENTERED" else value
            if stored == "":
                sheet.cells.pop(key, None)
            else:
                sheet.cells[key] = stored
    sheet.rows = max(sheet.rows, area.row0 + len(values))
    sheet.cols = max(sheet.cols, area.col0 + width)
    return len(values), width, sum(len(row) for row in values)


def clear(area: Area) -> None:
    """Empty every cell of *area*."""
    r0, c0, r1, c1 = area.bounded()
    for key in [k for k in area.sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
        del area.sheet.cells[key]
