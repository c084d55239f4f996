"""The Company sheet: the whole pyramid as one tree, grouped rows, each ID linked to its row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from okr.schema import STATUS_WORDS, TYPE_WORDS
from okr.shares import format_share
from sync.company.style import FIRST, link
from sync.run_records import FRESH
from sync.xlsx.links import may_link
from sync.xlsx.styles import PROGRESS_BAR, STATUS_COLOURS

if TYPE_CHECKING:
    from sync.company.book import Book


def write_company(book: Book) -> None:
    """The ``Company`` sheet: the whole alignment tree with outline levels.

    Blank cells mean the usual: no problems, a fresh workbook. The hot loop
    binds the writer methods locally: this sheet has a row per item.
    """
    r = book.report
    f, w = book.f, book.w
    stale = [v for v in r.workbooks if v.state != FRESH]
    note = w["company_note"]
    if stale:
        names = ", ".join(v.name for v in stale)
        note = w["company_stale"].format(names=names, dashboard=w.sheet("dashboard"), note=note)
    title = w["company_title"].format(organisation=r.organisation, as_of=f"{r.as_of:%Y-%m-%d}")
    columns = [(w.heading(key), width) for key, width in COMPANY_COLUMNS]
    company, problems = w.sheet("company"), w.sheet("problems")
    unaligned_title, no_id = w["unaligned"], w["no_id"]
    type_words = {kind: w.type_word(kind) for kind in TYPE_WORDS}
    status_words = {key: w.status(key) for key in STATUS_WORDS}
    ws = book.add_sheet(company, title, note, columns, stale=bool(stale))
    ws.outline_settings(True, False, True, False)
    set_row, url, put = ws.set_row, ws.write_url, ws.write_cells
    items, scores, views, owner = r.items, r.scores, r.workbooks, r.owner
    hidden, collapsed = r.hidden, r.collapsed
    link_f, pct, stale_f = f["link"], f["pct"], f["stale"]
    titles = {(d, b): f[("title", d, b)] for d in range(8) for b in (False, True)}
    status_f = {s: f[s] for s in STATUS_COLOURS}
    row = FIRST
    for pos, node in enumerate(r.tree.nodes):
        level = node.depth if node.depth < 7 else 7
        set_row(
            row, None, None, {"level": level, "hidden": hidden[pos], "collapsed": collapsed[pos]}
        )
        if node.index < 0:
            put(row, [(0, node.id, f["bold"]), (1, unaligned_title, titles[(0, True)])])
            row += 1
            continue
        item = items[node.index]
        view = views[owner[node.index]]
        cells: list = []
        add = cells.append
        target = book.item_link(node.index)
        title = item.title
        if node.share is not None:  # an objective serving several parents
            title = w["share"].format(title=title, share=format_share(node.share))
        if node.is_repeat:
            # The second and later appearances point to the full row above.
            first = book.company_row[node.index]
            target = link(company, first)
            title = w["repeat"].format(title=title, row=first + 1)
        book.link_or_text(ws, row, 0, target, item.id or no_id)
        if title:
            add((1, title, titles[(level, item.kind == "objective")]))
        if item.kind:
            add((2, type_words[item.kind], None))
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
                add((7, status_words.get(score.status, score.status), status_f.get(score.status)))
        found = book.problems_of(node.index)
        if found:
            if may_link(ws):
                # The link, then the count over it: the cell stays a number and clickable.
                url(row, 8, link(problems, book.problem_at[found[0]]), link_f)
            add((8, len(found), link_f))
        if view.state != FRESH:
            add((9, view.stale_note, stale_f))
        if item.notes:
            add((10, item.notes, None))
        down = book.data_link(node.index) if not node.is_repeat else None
        if down is not None and may_link(ws):  # the records behind the value
            url(row, 11, down, link_f)
        put(row, cells)
        row += 1
    if row > FIRST:
        ws.conditional_format(FIRST, 6, row - 1, 6, PROGRESS_BAR)


#: (heading key, width) of the Company sheet (headings: ``sync.company.words``).
COMPANY_COLUMNS = (
    ("id", 16),
    ("title", 60),
    ("type", 11),
    ("owner", 26),
    ("department", 14),
    ("period", 9),
    ("progress", 14),
    ("status", 11),
    ("problems", 9),
    ("workbook_state", 16),
    ("notes", 50),
    ("data", 8),
)
