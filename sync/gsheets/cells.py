"""Building blocks of Sheets v4 requests: grid ranges, typed cells, widths, dropdowns."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from okr.schema import SHEET_NAMES

OKRS_ID, CHECKINS_ID, GUIDE_ID, LISTS_ID = 0, 1, 2, 3
_IDS = {"okrs": OKRS_ID, "checkins": CHECKINS_ID, "guide": GUIDE_ID, "lists": LISTS_ID}
#: Tab name (in every language) -> sheetId
SHEET_IDS = {name: _IDS[key] for key, names in SHEET_NAMES.items() for name in names.values()}
#: Pixels per character of column width (xlsxwriter widths are in characters).
PIXELS = 7
_A1 = re.compile(
    r"^(?P<sheet>[^!]+)!\$?(?P<c0>[A-Z]+)\$?(?P<r0>\d+)(?::\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+))?$"
)
NUMBER_FORMATS = {
    "text": {"type": "TEXT", "pattern": "@"},
    "percent": {"type": "PERCENT", "pattern": "0%"},
    "date": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"},
}
DAY = {"type": "DATE", "pattern": "yyyy-mm-dd"}
GREY = {"red": 0.949, "green": 0.949, "blue": 0.949}


def col_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def grid_range(a1: str) -> dict[str, int]:
    """The GridRange of an A1 reference such as ``Lists!$A$2:$A$3``."""
    m = _A1.match(a1)
    if not m:
        raise ValueError(a1)
    c1, r1 = m.group("c1") or m.group("c0"), m.group("r1") or m.group("r0")
    return {
        "sheetId": SHEET_IDS[m.group("sheet").strip("'").replace("''", "'")],
        "startRowIndex": int(m.group("r0")) - 1,
        "endRowIndex": int(r1),
        "startColumnIndex": col_index(m.group("c0")),
        "endColumnIndex": col_index(c1) + 1,
    }


def rect(sheet_id: int, row0: int, row1: int, col0: int, col1: int) -> dict[str, int]:
    """A GridRange, 0-based, ends exclusive."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": row0,
        "endRowIndex": row1,
        "startColumnIndex": col0,
        "endColumnIndex": col1,
    }


def serial(day: date) -> float:
    """The spreadsheet serial number of a date (days since 1899-12-30)."""
    when = day if isinstance(day, datetime) else datetime(day.year, day.month, day.day)
    return (when - datetime(1899, 12, 30)).total_seconds() / 86400


def cell(value: Any, fmt: dict | None = None) -> dict[str, Any]:
    """A typed CellData: text stays text whatever it starts with."""
    if value is None or value == "":
        data: dict[str, Any] = {}
    elif isinstance(value, str):
        data = {"userEnteredValue": {"stringValue": value}}
    elif isinstance(value, date):
        data = {"userEnteredValue": {"numberValue": serial(value)}}
        fmt = {"numberFormat": DAY, **(fmt or {})}
    else:
        data = {"userEnteredValue": {"numberValue": float(value)}}
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


def rows(sheet_id: int, row0: int, col0: int, cells: list[list[dict]]) -> dict[str, Any]:
    """An updateCells request writing *cells* (rows of CellData) from (row0, col0)."""
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": row0, "columnIndex": col0},
            "rows": [{"values": r} for r in cells],
            "fields": "userEnteredValue,userEnteredFormat",
        }
    }


def rgb(hex_colour: str) -> dict[str, float]:
    """A Color of ``#RRGGBB``."""
    h = hex_colour.lstrip("#")
    return {k: int(h[i : i + 2], 16) / 255 for k, i in (("red", 0), ("green", 2), ("blue", 4))}


def col_width(sheet_id: int, first: int, last: int, chars: float, hidden: bool = False) -> dict:
    """Columns *first*..*last* *chars* characters wide (and hidden when asked)."""
    props: dict[str, Any] = {"pixelSize": int(chars * PIXELS)}
    fields = "pixelSize"
    if hidden:
        props["hiddenByUser"] = True
        fields += ",hiddenByUser"
    return {
        "updateDimensionProperties": {
            "range": {
                "sheetId": sheet_id,
                "dimension": "COLUMNS",
                "startIndex": first,
                "endIndex": last + 1,
            },
            "properties": props,
            "fields": fields,
        }
    }


def dropdown(rng: dict, source: str, strict: bool, message: str | None) -> dict:
    """A dropdown (ONE_OF_RANGE) of the values in *source*, an A1 range."""
    rule: dict[str, Any] = {
        "condition": {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": f"={source}"}]},
        "strict": strict,
        "showCustomUi": True,
    }
    if message:
        rule["inputMessage"] = message
    return {"setDataValidation": {"range": rng, "rule": rule}}


def col_letter(index: int) -> str:
    """0 -> A, 26 -> AA."""
    out, index = "", index + 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out
