"""One sheet per department workbook: its rows as submitted, with computed numbers and problems."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlsxwriter.worksheet import Worksheet

from okr.schema import COLUMNS
from sync.report import WorkbookView
from sync.run_store import FRESH
from sync.sheet_style import FIRST, TYPE_EN, LinkBudget, link
from sync.xlsx_styles import STATUS_COLOURS

if TYPE_CHECKING:
    from sync.company_workbook import Book

#: After the template's columns: the objective's rolled-up progress, a key result's
#: unclamped achievement (over 100 % is information), the problems, the source row.
DEPT_EXTRA = (
    ("Rolled up", 9),
    ("Achievement", 11),
    ("Problems", 9),
    ("Problem details", 60),
    ("Row", 6),
)
_COL = {c.key: i for i, c in enumerate(COLUMNS)}


def write_department(book: Book, w: int, view: WorkbookView) -> None:
    """One department workbook's rows as submitted, with computed numbers and problems."""
    r = book.report
    f = book.f
    if view.state == FRESH:
        note = (
            f"{view.name}: read on {r.as_of:%Y-%m-%d}. Click an ID to see it in the Company tree."
        )
    else:
        when = f"{view.since:%Y-%m-%d}" if view.since else "an earlier run"
        note = (
            f"STALE: {view.error or view.name + ' could not be read'}. "
            f"Showing the version last read on {when}."
        )
    columns = [(c.en, min(c.width, 40)) for c in COLUMNS] + list(DEPT_EXTRA)
    title = f"{view.department} ({view.name})"
    ws = book.add_sheet(book.sheets[w], title, note, columns, stale=view.state != FRESH, up=True)
    text, number, url = ws.write_string, ws.write_number, ws.write_url
    c = _COL
    n = len(COLUMNS)
    pct, num, link_f = f["pct"], f["num"], f["link"]
    status_f = {s: f[s] for s in STATUS_COLOURS}
    budget = LinkBudget()
    row = FIRST
    for index in book.rows_of[w]:
        item = r.items[index]
        score = r.scores.get(item.id)
        up = book.company_row.get(index)
        if up is not None and item.id and budget.take():  # the ID leads back up to Company
            url(row, c["id"], link("Company", up), link_f, item.id)
        elif item.id:
            text(row, c["id"], item.id)
        for key in ("parent", "title", "owner", "department", "unit", "metric", "notes"):
            value = getattr(item, key)
            if value:
                text(row, c[key], value)
        if item.kind:
            text(row, c["type"], TYPE_EN[item.kind])
        if item.period_label:
            text(row, c["period"], item.period_label)
        if item.direction:
            text(row, c["direction"], item.direction)
        for key in ("baseline", "target", "weight"):
            value = getattr(item, key)
            if value is not None:
                number(row, c[key], value, num)
        _write_current(ws, row, c["current"], item.current, num)
        if item.confidence is not None:
            number(row, c["confidence"], item.confidence, pct)
        if item.metric_state:
            when = f"{item.as_of:%Y-%m-%d %H:%M} " if item.as_of else ""
            text(row, c["as_of"], f"{when}({item.metric_state})", f["stale"])
        elif item.as_of is not None:
            ws.write_datetime(row, c["as_of"], item.as_of, f["datetime"])
        if score is not None:
            if score.progress is not None:
                number(row, c["progress"], score.progress, pct)
            if score.status:
                text(row, c["status"], score.status, status_f.get(score.status))
            if score.rolled is not None and item.kind == "objective":
                number(row, n, score.rolled, pct)
            if score.achievement is not None:
                number(row, n + 1, score.achievement, pct)
        found = book.problems_of(item)
        if found:
            number(row, n + 2, len(found))
            details = "\n".join(f"{r.problems[p].code}: {r.problems[p].message}" for p in found)
            text(row, n + 3, details[:32000])
        number(row, n + 4, item.where.row)
        row += 1


def _write_current(ws: Worksheet, row: int, col: int, value: object, fmt) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value))
