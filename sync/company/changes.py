"""The Changes sheet: what moved since the previous run (progress, status, parents, notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.company.style import FIRST, HEADER

if TYPE_CHECKING:
    from sync.company.book import Book


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
