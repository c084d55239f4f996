"""The Company sheet: the whole pyramid as one tree, grouped rows, each ID linked to its row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from okr.shares import format_share
from sync.company.style import FIRST, TYPE_EN, LinkBudget, link
from sync.run_records import FRESH
from sync.xlsx.styles import PROGRESS_BAR, STATUS_COLOURS

if TYPE_CHECKING:
    from sync.company.book import Book


def write_company(book: Book) -> None:
    """The ``Company`` sheet: the whole alignment tree with outline levels.

    Blank cells mean the usual: no problems, a fresh workbook. The hot loop
    binds the writer methods locally: this sheet has a row per item.
    """
    r = book.report
    f = book.f
    stale = [v for v in r.workbooks if v.state != FRESH]
    note = (
        "Expand and collapse with the 1 2 3 and +/- buttons on the left; "
        "click an ID to open its row in the department sheet. Workbook state is blank when "
        "the department's workbook was read fresh in this run."
    )
    if stale:
        note = f"STALE DATA from {', '.join(v.name for v in stale)} (see Dashboard). {note}"
    title = f"{r.organisation}: company OKRs as of {r.as_of:%Y-%m-%d}"
    ws = book.add_sheet("Company", title, note, COMPANY_COLUMNS, stale=bool(stale))
    ws.outline_settings(True, False, True, False)
    set_row, url, put = ws.set_row, ws.write_url, ws.write_cells
    items, scores, views, owner = r.items, r.scores, r.workbooks, r.owner
    hidden, collapsed = r.hidden, r.collapsed
    link_f, pct, stale_f = f["link"], f["pct"], f["stale"]
    titles = {(d, b): f[("title", d, b)] for d in range(8) for b in (False, True)}
    status_f = {s: f[s] for s in STATUS_COLOURS}
    budget = LinkBudget()
    row = FIRST
    for pos, node in enumerate(r.tree.nodes):
        level = node.depth if node.depth < 7 else 7
        set_row(
            row, None, None, {"level": level, "hidden": hidden[pos], "collapsed": collapsed[pos]}
        )
        if node.index < 0:
            put(row, [(0, node.id, f["bold"]), (1, UNALIGNED_TITLE, titles[(0, True)])])
            row += 1
            continue
        item = items[node.index]
        view = views[owner[node.index]]
        cells: list = []
        add = cells.append
        target = book.item_link(node.index)
        title = item.title
        if node.share is not None:  # an objective serving several parents
            title = f"{title} [{format_share(node.share)} share]"
        if node.is_repeat:
            # The second and later appearances point to the full row above.
            first = book.company_row[node.index]
            target = link("Company", first)
            title = f"{title} → row {first + 1}"
        book.link_or_text(
            ws, row, 0, target if target and budget.take() else None, item.id or "(no ID)"
        )
        if title:
            add((1, title, titles[(level, item.kind == "objective")]))
        if item.kind:
            add((2, TYPE_EN[item.kind], None))
        if item.owner:
            add((3, item.owner, None))
        add((4, item.department or view.department, None))
        if item.period_label:
            add((5, item.period_label, None))
        score = scores.get(item.id)
        if score is not None:
            if score.rolled is not None:
                add((6, score.rolled, pct))
            if score.status:
                add((7, score.status, status_f.get(score.status)))
        found = book.problems_of(item)
        if found:
            if budget.take():
                # The link, then the count over it: the cell stays a number and clickable.
                url(row, 8, link("Problems", book.problem_at[found[0]]), link_f)
            add((8, len(found), link_f))
        if view.state != FRESH:
            add((9, view.stale_note, stale_f))
        if item.notes:
            add((10, item.notes, None))
        down = book.data_link(node.index) if not node.is_repeat else None
        if down is not None and budget.take():  # the records behind the value
            url(row, 11, down, link_f)
        put(row, cells)
        row += 1
    if row > FIRST:
        ws.conditional_format(FIRST, 6, row - 1, 6, PROGRESS_BAR)


COMPANY_COLUMNS = (
    ("ID", 16),
    ("Title", 60),
    ("Type", 11),
    ("Owner", 26),
    ("Department", 14),
    ("Period", 9),
    ("Progress", 14),
    ("Status", 11),
    ("Problems", 9),
    ("Workbook state", 16),
    ("Notes", 50),
    ("Data", 8),
)


UNALIGNED_TITLE = "Aligned to nothing that exists yet: pilots, proposals, broken parents"
