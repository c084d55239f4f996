"""The Problems sheet: every problem of the run, errors first, linked to its row."""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

from okr.problems import ERROR
from sync.company.report import Report
from sync.company.style import FIRST, HEADER, link

if TYPE_CHECKING:
    from sync.company.book import Book


#: (heading key, width) of the Problems sheet.
COLUMNS = (
    ("severity", 9),
    ("code", 18),
    ("id", 16),
    ("department", 14),
    ("workbook", 20),
    ("sheet", 9),
    ("cell", 7),
    ("message", 90),
    ("workbook_state", 16),
)


def problem_order(report: Report) -> array:
    """Positions of ``report.problems`` as the Problems sheet lists them: errors first."""
    problems = report.problems
    errors = [i for i, p in enumerate(problems) if p.severity == ERROR]
    order = array("l", errors)
    order.extend(i for i, p in enumerate(problems) if p.severity != ERROR)
    return order


def problem_items(report: Report) -> array:
    """For each of ``report.problems``, the index in ``report.items`` of the row it is on, or -1."""
    at = {(i.where.workbook, i.where.row): n for n, i in enumerate(report.items)}
    return array(
        "l", (at.get((p.workbook, p.row), -1) if p.row is not None else -1 for p in report.problems)
    )


def write_problems(book: Book) -> None:
    """Every problem with severity, department, workbook, sheet, cell, linked to its row."""
    r = book.report
    f, t = book.f, book.w
    errors = sum(p.severity == ERROR for p in r.problems)
    cols = [(t.heading(key), width) for key, width in COLUMNS]
    title = t["problems_title"].format(
        as_of=f"{r.as_of:%Y-%m-%d}", errors=errors, warnings=len(r.problems) - errors
    )
    ws = book.add_sheet(t.sheet("problems"), title, t["problems_note"], cols)
    views = {v.name: (w, v) for w, v in enumerate(r.workbooks)}
    row = FIRST
    for p_index in book.problem_order:
        p = r.problems[p_index]
        w, view = views.get(p.workbook, (None, None))
        severity = f["off track"] if p.severity == ERROR else None
        cells = [(0, p.severity, severity), (1, p.code, None)]
        item = book.problem_item[p_index]
        target = book.item_link(item) if item >= 0 else None
        if target is None and w is not None and book.sheets[w]:
            target = link(book.sheets[w], 0)
        if target or p.id:
            book.link_or_text(ws, row, 2, target, p.id or t["open"])
        cells += [
            (3, view.department if view else "", None),
            (4, p.workbook, None),
            (5, p.sheet, None),
            (6, p.cell, None),
            (7, p.message, None),
        ]
        if view is not None and view.stale_note:
            cells.append((8, view.stale_note, f["stale"]))
        ws.write_cells(row, cells)
        row += 1
    ws.autofilter(HEADER, 0, max(row - 1, HEADER), len(cols) - 1)
