"""Generate the example organisation's workbooks from the template and ``content.py``.

    python -m examples.build [--out DIR] [--with-metrics]

Each workbook starts as the real template (``sync.xlsx.template.build_template``),
so it carries the same formulas, dropdowns, guide and lists a department head
gets; the builder then types the content into the input cells only, as a
person would: Progress and Status formulas and the hidden helper columns are
left alone. Company first, so the departments' Parent dropdowns list real
company IDs, then the departments, then the team.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook
from openpyxl.worksheet.worksheet import Worksheet

from examples.content import AS_OF, WORKBOOKS, CheckIn, Row, Workbook
from okr.reading import leading_id
from okr.schema import (
    DIRECTION_WORDS,
    SHEET,
    TYPE_WORDS,
    column_for_header,
    normalise,
    sheet_name,
)
from sync.xlsx.atomic import write_atomic
from sync.xlsx.template import build_template

DEFAULT_OUT = Path(__file__).resolve().parent / "org"
#: Columns the builder types into; Progress, Status (formulas) and As of (the
#: metric refresh's) are never written.
INPUT_KEYS = (
    "id",
    "type",
    "parent",
    "title",
    "owner",
    "department",
    "period",
    "direction",
    "unit",
    "baseline",
    "target",
    "current",
    "weight",
    "confidence",
    "metric",
    "notes",
)
FIRST_ROW = 2
#: Defined name of the template's Parent dropdown entries ("CO-O1 · Grow revenue ...").
PARENT_LIST = "ParentList"


def row_cells(
    row: Row,
    book: Workbook,
    *,
    with_metrics: bool = False,
    choices: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """The values to type for *row*, by column key, in *book*'s language.

    A Parent offered by the dropdown is written as its entry (*choices*: ID ->
    ``"ID · Title"``), the way a person picks it; other parents as the bare ID.
    Empty cells are left out, so the template's blank cells stay untouched.
    Metric is included only *with_metrics*.
    """
    parent = row.parent and (choices or {}).get(row.parent, row.parent)
    values: dict[str, object] = {
        "id": row.id,
        "type": TYPE_WORDS[row.kind][book.lang],
        "parent": parent,
        "title": row.title,
        "owner": row.owner,
        "department": row.department or book.department,
        "period": row.period or book.period,
        "direction": DIRECTION_WORDS[row.direction][book.lang] if row.direction else None,
        "unit": row.unit,
        "baseline": row.baseline,
        "target": row.target,
        "current": row.current,
        "weight": row.weight,
        "confidence": row.confidence,
        "metric": row.metric if with_metrics else None,
        "notes": row.notes,
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


def header_columns(ws: Worksheet, header_row: int = 1) -> dict[str, int]:
    """Map column key -> 1-based column index from the header row of a template sheet."""
    found: dict[str, int] = {}
    for cell in ws[header_row]:
        key = column_for_header(cell.value) if isinstance(cell.value, str) else None
        if key and key not in found:
            found[key] = cell.column
    return found


def parent_choices(wb: OpenpyxlWorkbook) -> dict[str, str]:
    """ID -> entry of the template's Parent dropdown; empty when it offers none."""
    name = wb.defined_names.get(PARENT_LIST)
    if name is None:
        return {}
    choices: dict[str, str] = {}
    for sheet, ref in name.destinations:
        min_col, min_row, _, max_row = range_boundaries(ref.replace("$", ""))
        for (entry,) in wb[sheet].iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=min_col, values_only=True
        ):
            key = leading_id(entry)
            if key:
                choices.setdefault(key, entry)
    return choices


def fill_okrs(
    ws: Worksheet,
    book: Workbook,
    *,
    with_metrics: bool = False,
    choices: Mapping[str, str] | None = None,
) -> None:
    """Type *book*'s rows into the OKR sheet from row 2, input columns only."""
    columns = header_columns(ws)
    missing = [k for k in INPUT_KEYS if k not in columns]
    if missing:
        raise RuntimeError(f"the template's {SHEET} sheet lacks the column(s) {missing}")
    for offset, row in enumerate(book.rows):
        r = FIRST_ROW + offset
        cells = row_cells(row, book, with_metrics=with_metrics, choices=choices)
        for key, value in cells.items():
            ws.cell(row=r, column=columns[key], value=value)


#: What each check-in field may be called in the Check-ins header (normalised words).
_CHECKIN_HEADERS = {
    "on": ("date", "day", "日期", "check in date"),
    "kr": ("kr", "kr id", "key result", "key result id", "id", "关键结果", "关键结果编号", "编号"),
    "value": ("value", "current", "new value", "数值", "当前值", "值"),
    "confidence": ("confidence", "信心"),
    "note": ("note", "notes", "comment", "备注", "说明"),
}
_CHECKIN_FIELDS = ("on", "kr", "value", "confidence", "note")


def checkin_columns(ws: Worksheet) -> tuple[int, dict[str, int]]:
    """Find the Check-ins header: return its row and field -> 1-based column index.

    Falls back to row 1 with the fields in columns A-E when no header names them.
    """
    index = {normalise(w): f for f, words in _CHECKIN_HEADERS.items() for w in words}
    for r in range(1, min(ws.max_row, 10) + 1):
        found: dict[str, int] = {}
        for cell in ws[r]:
            field = index.get(normalise(cell.value)) if isinstance(cell.value, str) else None
            if field and field not in found:
                found[field] = cell.column
        if {"on", "kr", "value"} <= set(found):
            return r, found
    return 1, {f: i + 1 for i, f in enumerate(_CHECKIN_FIELDS)}


def fill_checkins(ws: Worksheet, checkins: Sequence[CheckIn]) -> None:
    """Append *checkins* under the Check-ins header, in order."""
    header, columns = checkin_columns(ws)
    for offset, entry in enumerate(checkins):
        r = header + 1 + offset
        for field, value in (
            ("on", entry.on),
            ("kr", entry.kr),
            ("value", entry.value),
            ("confidence", entry.confidence),
            ("note", entry.note),
        ):
            if field in columns and value not in (None, ""):
                ws.cell(row=r, column=columns[field], value=value)


def fill(wb: OpenpyxlWorkbook, book: Workbook, *, with_metrics: bool = False) -> None:
    """Type *book*'s content into a workbook freshly made from the template."""
    okrs, log = sheet_name("okrs", book.lang), sheet_name("checkins", book.lang)
    fill_okrs(wb[okrs], book, with_metrics=with_metrics, choices=parent_choices(wb))
    if book.checkins:
        if log not in wb.sheetnames:
            raise RuntimeError(f"the template has no {log} sheet")
        fill_checkins(wb[log], book.checkins)


def build_workbook(book: Workbook, out: Path, *, with_metrics: bool = False) -> Path:
    """Build one workbook into folder *out*; its parents must already be built there."""
    parents = [out / name for name in book.parents]
    absent = [str(p) for p in parents if not p.exists()]
    if absent:
        raise FileNotFoundError(f"build the parent workbook(s) first: {', '.join(absent)}")
    with tempfile.TemporaryDirectory(prefix="okr-example-") as tmp:
        blank = build_template(
            Path(tmp) / book.filename,
            lang=book.lang,
            department=book.department,
            period=book.period,
            parents=parents,
            as_of=AS_OF,
        )
        wb = openpyxl.load_workbook(blank)
        try:
            fill(wb, book, with_metrics=with_metrics)
            target = out / book.filename
            write_atomic(target, wb.save)
        finally:
            wb.close()
    return target


def build(out: Path = DEFAULT_OUT, *, with_metrics: bool = False) -> list[Path]:
    """Build every example workbook into *out* (created if needed); return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return [build_workbook(book, out, with_metrics=with_metrics) for book in WORKBOOKS]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m examples.build [--out DIR] [--with-metrics]``."""
    parser = argparse.ArgumentParser(
        prog="python -m examples.build",
        description="Generate the Northwind Components example workbooks from the template.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder to write the workbooks to (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--with-metrics",
        action="store_true",
        help="fill the Metric column of the key results bound to registry metrics",
    )
    args = parser.parse_args(argv)
    for path in build(args.out, with_metrics=args.with_metrics):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
