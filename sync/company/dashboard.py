"""The report sheets of the company workbook: Dashboard, Problems, Metrics, Changes.

Each writer takes the ``company_workbook.Book`` (workbook, formats, where each
row lands) and writes its sheet top to bottom, as constant-memory mode needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from okr.problems import ERROR
from okr.schema import STATUSES
from sync.report import Report
from sync.run_store import FRESH
from sync.sheet_style import FIRST, HEADER, link

if TYPE_CHECKING:
    from sync.company_workbook import Book


def problem_order(report: Report) -> list[int]:
    """Positions of ``report.problems`` as the Problems sheet lists them: errors first."""
    return sorted(
        range(len(report.problems)), key=lambda i: (report.problems[i].severity != ERROR, i)
    )


def _stale_note(report: Report) -> str:
    bad = [v for v in report.workbooks if v.state != FRESH]
    if not bad:
        return ""
    return "STALE or FAILED: " + "; ".join(f"{v.name} ({v.stale_note})" for v in bad)


def write_dashboard(book: Book) -> None:
    """Run summary, per-department table, and charts of progress and status counts."""
    r = book.report
    f = book.f
    note = _stale_note(r)
    title = f"{r.organisation}: OKR dashboard as of {r.as_of:%Y-%m-%d}"
    ws = book.add_sheet("Dashboard", title, note, stale=bool(note))
    depts = r.departments()
    n_errors = sum(p.severity == ERROR for p in r.problems)
    roots = sum(1 for n in r.tree.nodes if n.depth == 0 and not n.is_branch)
    unaligned = sum(
        1
        for n in r.tree.nodes
        if n.depth == 1 and r.tree.nodes[n.up].is_branch and r.items[n.index].is_objective
    )
    states = {s: sum(v.state == s for v in r.workbooks) for s in ("fresh", "stale", "failed")}
    summary = [
        ("Organisation", r.organisation),
        ("As of", r.as_of.isoformat()),
        ("Run started", f"{r.started_at:%Y-%m-%d %H:%M:%S}"),
        (
            "Workbooks read",
            f"{len(r.workbooks)}: {states['fresh']} fresh, {states['stale']} stale, "
            f"{states['failed']} failed",
        ),
        ("Stale or failed", ", ".join(v.name for v in r.workbooks if v.state != FRESH) or "none"),
        ("Rows", len(r.items)),
        ("Company objectives", roots),
        ("Unaligned objectives", unaligned),
        ("Errors", n_errors),
        ("Warnings", len(r.problems) - n_errors),
        (
            "Changes",
            f"{len(r.changes)} since {r.previous:%Y-%m-%d}" if r.previous else "first run",
        ),
    ]
    summary += [("Notice", n) for n in r.notices]
    row = HEADER
    for label, value in summary:
        ws.write_string(row, 0, label, f["bold"])
        if isinstance(value, int):
            ws.write_number(row, 1, value)
        else:
            ws.write_string(row, 1, value)
        row += 1
    row += 1
    cols = ["Workbook", "Department", "State", "Progress", *STATUSES, "no status"]
    cols += ["Rows", "Errors", "Warnings", "Message"]
    widths = [22, 18, 20, 10, 9, 9, 9, 11, 10, 7, 7, 9, 70]
    book.header(ws, list(zip(cols, widths, strict=True)), row)
    top = row + 1
    for d, view, sheet in zip(depts, r.workbooks, book.sheets, strict=True):
        row += 1
        book.link_or_text(ws, row, 0, link(sheet, 0) if sheet else None, d.workbook)
        ws.write_string(row, 1, d.department)
        ws.write_string(
            row, 2, view.stale_note or FRESH, f["stale"] if view.stale_note else f["fresh"]
        )
        if d.progress is not None:
            ws.write_number(row, 3, d.progress, f["pct"])
        for c, key in enumerate((*STATUSES, "no status"), start=4):
            ws.write_number(row, c, d.statuses[key])
        ws.write_number(row, 9, d.rows)
        ws.write_number(row, 10, d.errors)
        ws.write_number(row, 11, d.warnings)
        if view.error:
            ws.write_string(row, 12, view.error)
    if row >= top:
        _dashboard_charts(book, ws, top, row)


def _dashboard_charts(book: Book, ws, top: int, bottom: int) -> None:
    name = "Dashboard"
    progress = book.wb.add_chart({"type": "bar"})
    progress.add_series(
        {
            "name": "Progress",
            "categories": [name, top, 0, bottom, 0],
            "values": [name, top, 3, bottom, 3],
            "fill": {"color": "#5B9BD5"},
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    progress.set_title({"name": "Progress by department"})
    progress.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
    progress.set_y_axis({"reverse": True})
    progress.set_legend({"none": True})
    statuses = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    colours = ["#70AD47", "#FFC000", "#C00000", "#A5A5A5", "#D9D9D9"]
    for c, colour in enumerate(colours, start=4):
        statuses.add_series(
            {
                "name": [name, top - 1, c],
                "categories": [name, top, 0, bottom, 0],
                "values": [name, top, c, bottom, c],
                "fill": {"color": colour},
            }
        )
    statuses.set_title({"name": "Objectives by status"})
    statuses.set_y_axis({"reverse": True})
    height = max(288, 22 * (bottom - top + 1) + 80)
    ws.insert_chart(1, 14, progress, {"x_scale": 1.3, "y_scale": height / 288})
    ws.insert_chart(1, 23, statuses, {"x_scale": 1.3, "y_scale": height / 288})


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


def write_metrics(book: Book) -> None:
    """Every metric value used: key result, value, source, as-of and state."""
    r = book.report
    f = book.f
    cols = [("Metric", 26), ("ID", 16), ("Title", 44), ("Department", 14), ("Value", 14)]
    cols += [("Unit", 9), ("As of", 17), ("State", 9), ("Source", 36), ("Detail", 50)]
    ws = book.add_sheet(
        "Metrics",
        f"Metric values used as of {r.as_of:%Y-%m-%d}",
        "fresh: refreshed within the stale_days setting; stale: older, or its department "
        "workbook is stale; failed: the last refresh failed and the last good value is shown.",
        cols,
    )
    index = {id(item): n for n, item in enumerate(r.items)}
    row = FIRST
    for m in r.metrics:
        item = m.item
        ws.write_string(row, 0, item.metric)
        n = index.get(id(item))
        book.link_or_text(ws, row, 1, book.item_link(n) if n is not None else None, item.id)
        ws.write_string(row, 2, item.title)
        ws.write_string(row, 3, item.department)
        if isinstance(m.value, int | float) and not isinstance(m.value, bool):
            ws.write_number(row, 4, m.value, f["num"])
        elif m.value is not None:
            ws.write_string(row, 4, str(m.value))
        ws.write_string(row, 5, item.unit)
        if m.as_of is not None:
            ws.write_datetime(row, 6, m.as_of, f["datetime"])
        style = None if m.state == FRESH else f["stale"] if m.state == "stale" else f["off track"]
        ws.write_string(row, 7, m.state, style)
        ws.write_string(row, 8, m.source)
        if m.detail:
            ws.write_string(row, 9, m.detail)
        row += 1
    ws.autofilter(HEADER, 0, max(row - 1, HEADER), len(cols) - 1)


def write_changes(book: Book) -> None:
    """What changed since the previous run: rows added, removed, re-parented, moved."""
    r = book.report
    f = book.f
    if r.previous:
        title = f"{len(r.changes)} change(s) since the run of {r.previous:%Y-%m-%d}"
    else:
        title = "First run: no earlier run to compare with"
    cols = [("Change", 12), ("ID", 16), ("Title", 44), ("Department", 14), ("Before", 16)]
    cols += [("After", 16), ("Detail", 60), ("Workbook state", 16)]
    note = "progress: moved by more than the threshold; status: changed colour."
    ws = book.add_sheet("Changes", title, note, cols)
    first = {}
    for n, item in enumerate(r.items):
        first.setdefault(item.id, n)
    row = FIRST
    for ch in r.changes:
        ws.write_string(row, 0, ch.kind)
        n = first.get(ch.id) if ch.kind != "removed" else None
        book.link_or_text(ws, row, 1, book.item_link(n) if n is not None else None, ch.id)
        ws.write_string(row, 2, ch.title)
        ws.write_string(row, 3, ch.department)
        for c, value in ((4, ch.before), (5, ch.after)):
            if isinstance(value, float):
                ws.write_number(row, c, value, f["pct"])
            elif value not in (None, ""):
                ws.write_string(row, c, str(value)[:2000])
        ws.write_string(row, 6, ch.message)
        stale = book.state_of(n).stale_note if n is not None else ""
        if stale:
            ws.write_string(row, 7, stale, f["stale"])
        row += 1
    ws.autofilter(HEADER, 0, max(row - 1, HEADER), len(cols) - 1)
