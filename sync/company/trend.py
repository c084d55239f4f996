"""The Trend sheet: each objective's progress over the last runs, and where actions changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from sync.company.style import FIRST, HEADER

if TYPE_CHECKING:
    from sync.company.book import Book

#: At most this many company objectives get a line in the Trend chart.
CHART_SERIES = 12


def write_trend(book: Book) -> None:
    """Objective progress per run, a sparkline per row, marks where corrective actions changed."""
    r = book.report
    f, w = book.f, book.w
    t = r.trend
    first_date = 4
    cols = [(w.heading(k), n) for k, n in (("id", 16), ("title", 50), ("department", 14))]
    cols += [(w.heading("workbook_state"), 16)]
    cols += [(d.isoformat(), 11) for d in t.dates]
    cols += [(w.heading("trend"), 18), (w.heading("notes_changed_on"), 24)]
    title = w["trend_title"].format(runs=len(t.dates))
    ws = book.add_sheet(w.sheet("trend"), title, w["trend_note"], cols)
    spark_col = first_date + len(t.dates)
    row = FIRST
    locations, ranges = [], []
    charted: list[tuple[int, str, list[bool]]] = []
    for node in r.tree.nodes:
        if node.is_branch or node.is_repeat or not r.items[node.index].is_objective:
            continue
        item = r.items[node.index]
        view = book.state_of(node.index)
        book.link_or_text(ws, row, 0, book.item_link(node.index), item.id)
        ws.write_string(row, 1, item.title, f[("title", min(node.depth, 7), node.depth == 0)])
        ws.write_string(row, 2, item.department or view.department)
        if view.stale_note:
            ws.write_string(row, 3, view.stale_note, f["stale"])
        values = t.values.get(item.id, ())
        marks = t.marks.get(item.id, ())
        changed_on = []
        for k, value in enumerate(values):
            mark = marks[k] if k < len(marks) else ""
            if value is not None:
                ws.write_number(row, first_date + k, value, f["mark"] if mark else f["pct"])
            if mark:
                changed_on.append(t.dates[k].isoformat())
                ws.write_comment(
                    row, first_date + k, w["action_changed"].format(mark=mark)[:2000],
                    {"x_scale": 2, "y_scale": 2},
                )  # fmt: skip
        if t.dates:
            locations.append(xl_rowcol_to_cell(row, spark_col))
            ranges.append(xl_range(row, first_date, row, spark_col - 1))
        if changed_on:
            ws.write_string(row, spark_col + 1, ", ".join(changed_on))
        if node.depth == 0 and len(charted) < CHART_SERIES:
            charted.append((row, item.id, [bool(m) for m in marks]))
        row += 1
    if locations:
        ws.add_sparkline(
            FIRST,
            spark_col,
            {
                "location": locations,
                "range": ranges,
                "markers": True,
                "high_point": False,
                "min": 0,
                "max": 1,
                "empty_cells": "gaps",
                "series_color": "#2F5597",
            },
        )
    if charted and t.dates:
        _trend_chart(book, ws, charted, first_date, spark_col, row)


def _trend_chart(book: Book, ws, charted, first_date: int, spark_col: int, row: int) -> None:
    sheet = book.w.sheet("trend")
    chart = book.wb.add_chart({"type": "line"})
    for r_, name, marks in charted:
        points = [
            {"fill": {"color": "#FF0000"}, "border": {"color": "#FF0000"}} if m else None
            for m in marks
        ]
        chart.add_series(
            {
                "name": name,
                "categories": [sheet, HEADER, first_date, HEADER, spark_col - 1],
                "values": [sheet, r_, first_date, r_, spark_col - 1],
                "marker": {"type": "circle", "size": 6},
                "points": points,
            }
        )
    chart.set_title({"name": book.w["trend_chart"]})
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    ws.insert_chart(1, spark_col + 3, chart, {"x_scale": 1.6, "y_scale": 1.4})
