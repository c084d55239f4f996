"""The Changes sheet: what moved since the previous run (progress, status, parents, notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.company.style import FIRST, HEADER

if TYPE_CHECKING:
    from sync.company.book import Book


#: (heading key, width) of the Changes sheet.
COLUMNS = (
    ("change", 12),
    ("id", 16),
    ("title", 44),
    ("department", 14),
    ("before", 16),
    ("after", 16),
    ("detail", 60),
    ("workbook_state", 16),
)


def write_changes(book: Book) -> None:
    """What changed since the previous run: rows added, removed, re-parented, moved."""
    r = book.report
    f, w = book.f, book.w
    if r.previous:
        title = w["changes_title"].format(count=len(r.changes), previous=f"{r.previous:%Y-%m-%d}")
    else:
        title = w["changes_first"]
    cols = [(w.heading(key), width) for key, width in COLUMNS]
    ws = book.add_sheet(w.sheet("changes"), title, w["changes_note"], cols)
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
