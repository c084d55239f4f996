"""The report sheets of the company workbook: Dashboard, Problems, Metrics, Changes.

Each writer takes the ``sync.company.book.Book`` (workbook, formats, where each
row lands) and writes its sheet top to bottom, as constant-memory mode needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from okr.problems import ERROR
from okr.schema import STATUSES
from sync.company.history import write_owners_due
from sync.company.report import Report
from sync.company.style import HEADER, link
from sync.run_records import FRESH

if TYPE_CHECKING:
    from sync.company.book import Book


def _stale_note(report: Report, prefix: str) -> str:
    bad = [v for v in report.workbooks if v.state != FRESH]
    if not bad:
        return ""
    return prefix + "; ".join(f"{v.name} ({v.stale_note})" for v in bad)


def write_dashboard(book: Book) -> None:
    """Run summary, per-department table, and charts of progress and status counts."""
    r = book.report
    f, w = book.f, book.w
    note = _stale_note(r, w["stale_or_failed_note"])
    title = w["dashboard_title"].format(organisation=r.organisation, as_of=f"{r.as_of:%Y-%m-%d}")
    ws = book.add_sheet(w.sheet("dashboard"), title, note, stale=bool(note))
    depts = r.departments()
    n_errors = sum(p.severity == ERROR for p in r.problems)
    roots = sum(1 for n in r.tree.nodes if n.depth == 0 and not n.is_branch)
    unaligned = sum(
        1
        for n in r.tree.nodes
        if n.depth == 1 and r.tree.nodes[n.up].is_branch and r.items[n.index].is_objective
    )
    states = {s: sum(v.state == s for v in r.workbooks) for s in ("fresh", "stale", "failed")}
    bad = ", ".join(v.name for v in r.workbooks if v.state != FRESH)
    since = f"{r.previous:%Y-%m-%d}" if r.previous else ""
    summary = [
        (w["organisation"], r.organisation),
        (w["as_of"], r.as_of.isoformat()),
        (w["run_started"], f"{r.started_at:%Y-%m-%d %H:%M:%S}"),
        (w["workbooks_read"], w["workbooks_read_value"].format(total=len(r.workbooks), **states)),
        (w["stale_or_failed"], bad or w["none"]),
        (w["rows"], len(r.items)),
        (w["company_objectives"], roots),
        (w["unaligned_objectives"], unaligned),
        (w["errors"], n_errors),
        (w["warnings"], len(r.problems) - n_errors),
        (
            w["changes"],
            w["changes_since"].format(count=len(r.changes), previous=since)
            if r.previous
            else w["first_run"],
        ),
    ]
    summary += [(w["notice"], n) for n in r.notices]
    row = HEADER
    for label, value in summary:
        ws.write_string(row, 0, label, f["bold"])
        if isinstance(value, int):
            ws.write_number(row, 1, value)
        else:
            ws.write_string(row, 1, value)
        row += 1
    row += 1
    cols = [w.heading(k) for k in ("workbook", "department", "state", "progress")]
    cols += [*map(w.status, STATUSES), w.heading("no_status")]
    cols += [w.heading(k) for k in ("rows", "errors", "warnings", "message")]
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
    write_owners_due(book, ws, row + 2)


def _dashboard_charts(book: Book, ws, top: int, bottom: int) -> None:
    w = book.w
    name = w.sheet("dashboard")
    progress = book.wb.add_chart({"type": "bar"})
    progress.add_series(
        {
            "name": w.heading("progress"),
            "categories": [name, top, 0, bottom, 0],
            "values": [name, top, 3, bottom, 3],
            "fill": {"color": "#5B9BD5"},
            "data_labels": {"value": True, "num_format": "0%"},
        }
    )
    progress.set_title({"name": w["progress_chart"]})
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
    statuses.set_title({"name": w["status_chart"]})
    statuses.set_y_axis({"reverse": True})
    height = max(288, 22 * (bottom - top + 1) + 80)
    ws.insert_chart(1, 14, progress, {"x_scale": 1.3, "y_scale": height / 288})
    ws.insert_chart(1, 23, statuses, {"x_scale": 1.3, "y_scale": height / 288})
