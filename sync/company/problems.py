"""The Problems sheet: every problem of the run, errors first, linked to its row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from okr.problems import ERROR
from sync.company.report import Report
from sync.company.style import FIRST, HEADER, link

if TYPE_CHECKING:
    from sync.company.book import Book


def problem_order(report: Report) -> list[int]:
    """Positions of ``report.problems`` as the Problems sheet lists them: errors first."""
    return sorted(
        range(len(report.problems)), key=lambda i: (report.problems[i].severity != ERROR, i)
    )


def write_problems(book: Book) -> None:
    """Every problem with severity, department, workbook, sheet, cell, linked to its row."""
    r = book.report
    f = book.f
    errors = sum(p.severity == ERROR for p in r.problems)
    cols = [("Severity", 9), ("Code", 18), ("ID", 16), ("Department", 14), ("Workbook", 20)]
    cols += [("Sheet", 9), ("Cell", 7), ("Message", 90), ("Workbook state", 16)]
    ws = book.add_sheet(
        "Problems",
        f"Problems as of {r.as_of:%Y-%m-%d}: {errors} error(s), {len(r.problems) - errors} "
        "warning(s)",
        "Click an ID to open its row. Fix errors in the department workbook; they come back "
        "fixed with the next nightly run.",
        cols,
    )
    views = {v.name: (w, v) for w, v in enumerate(r.workbooks)}
    rows = {(i.where.workbook, i.where.row): n for n, i in enumerate(r.items)}
    row = FIRST
    for p_index in book.problem_order:
        p = r.problems[p_index]
        w, view = views.get(p.workbook, (None, None))
        ws.write_string(row, 0, p.severity, f["off track"] if p.severity == ERROR else None)
        ws.write_string(row, 1, p.code)
        item = rows.get((p.workbook, p.row)) if p.row is not None else None
        target = book.item_link(item) if item is not None else None
        if target is None and w is not None and book.sheets[w]:
            target = link(book.sheets[w], 0)
        if target or p.id:
            book.link_or_text(ws, row, 2, target, p.id or "(open)")
        ws.write_string(row, 3, view.department if view else "")
        ws.write_string(row, 4, p.workbook)
        ws.write_string(row, 5, p.sheet)
        ws.write_string(row, 6, p.cell)
        ws.write_string(row, 7, p.message)
        if view is not None and view.stale_note:
            ws.write_string(row, 8, view.stale_note, f["stale"])
        row += 1
    ws.autofilter(HEADER, 0, max(row - 1, HEADER), len(cols) - 1)
