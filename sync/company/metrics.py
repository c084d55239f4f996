"""The Metrics sheet: every metric a key result uses, its value, as-of, source and state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.company.style import FIRST, HEADER
from sync.run_records import FRESH
from sync.xlsx.links import may_link

if TYPE_CHECKING:
    from sync.company.book import Book


#: (heading key, width) of the Metrics sheet.
COLUMNS = (
    ("metric", 26),
    ("id", 16),
    ("title", 44),
    ("department", 14),
    ("value", 14),
    ("unit", 9),
    ("as_of", 17),
    ("state", 9),
    ("source", 36),
    ("detail", 50),
    ("data", 8),
)


def write_metrics(book: Book) -> None:
    """Every metric value used: key result, value, source, as-of and state."""
    r = book.report
    f, w = book.f, book.w
    cols = [(w.heading(key), width) for key, width in COLUMNS]
    title = w["metrics_title"].format(as_of=f"{r.as_of:%Y-%m-%d}")
    ws = book.add_sheet(w.sheet("metrics"), title, w["metrics_note"], cols)
    row = FIRST
    for m in r.metrics:
        item = m.item
        ws.write_string(row, 0, item.metric)
        book.link_or_text(ws, row, 1, book.item_link(m.index), item.id)
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
        down = book.data_link(m.index)
        if down is not None and may_link(ws):
            ws.write_url(row, 10, down, f["link"])
        row += 1
    ws.autofilter(HEADER, 0, max(row - 1, HEADER), len(cols) - 1)
