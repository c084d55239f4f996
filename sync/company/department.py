"""One sheet per department workbook: its rows as submitted, with computed numbers and problems."""

from __future__ import annotations

from typing import TYPE_CHECKING

from okr.schema import COLUMNS, STATUS_WORDS, TYPE_WORDS
from sync.company.report import WorkbookView
from sync.company.style import FIRST, link
from sync.run_records import FRESH
from sync.xlsx.links import may_link
from sync.xlsx.styles import STATUS_COLOURS

if TYPE_CHECKING:
    from sync.company.book import Book

#: After the template's columns: the objective's rolled-up progress, a key result's
#: unclamped achievement (over 100 % is information), the problems, the source row.
#: (heading key, width) of the columns after the OKR columns (headings: ``sync.company.words``).
DEPT_EXTRA = (
    ("rolled_up", 9),
    ("achievement", 11),
    ("problems", 9),
    ("problem_details", 60),
    ("row", 6),
    ("data", 8),
)
_COL = {c.key: i for i, c in enumerate(COLUMNS)}
#: Text columns written as submitted (when not blank).
TEXT_KEYS = ("parent", "title", "owner", "department", "direction", "unit", "metric", "notes")


def write_department(book: Book, w: int, view: WorkbookView) -> None:
    """One department workbook's rows as submitted, with computed numbers and problems."""
    r = book.report
    f, t = book.f, book.w
    company = t.sheet("company")
    if view.state == FRESH:
        note = t["department_fresh"].format(
            name=view.name, as_of=f"{r.as_of:%Y-%m-%d}", company=company
        )
    else:
        when = f"{view.since:%Y-%m-%d}" if view.since else t["earlier_run"]
        reason = view.error or t["could_not_be_read"].format(name=view.name)
        note = t["department_stale"].format(reason=reason, when=when)
    columns = [(c.header(t.lang), min(c.width, 40)) for c in COLUMNS]
    columns += [(t.heading(key), width) for key, width in DEPT_EXTRA]
    metrics = t.sheet("metrics")
    type_words = {kind: t.type_word(kind) for kind in TYPE_WORDS}
    status_words = {key: t.status(key) for key in STATUS_WORDS}
    title = f"{view.department} ({view.name})"
    ws = book.add_sheet(book.sheets[w], title, note, columns, stale=view.state != FRESH, up=True)
    url, put = ws.write_url, ws.write_cells
    c = _COL
    n = len(COLUMNS)
    pct, num, link_f, stale_f = f["pct"], f["num"], f["link"], f["stale"]
    status_f = {s: f[s] for s in STATUS_COLOURS}
    texts = [(c[key], key) for key in TEXT_KEYS] + [(c["period"], "period_label")]
    numbers = [(c[key], key) for key in ("baseline", "target", "weight")]
    row = FIRST
    for index in book.rows_of[w]:
        item = r.items[index]
        cells: list = []
        add = cells.append
        # The ID leads back up to Company, to the row itself or, when it is folded
        # away, to the nearest row above it that shows (its + button unfolds it).
        up = book.visible_company_row(index)
        if up is not None and item.id and may_link(ws):
            url(row, c["id"], link(company, up, text=item.id), link_f)
        elif item.id:
            add((c["id"], item.id, None))
        for col, key in texts:
            value = getattr(item, key)
            if not value:
                continue
            if key == "metric" and index in book.metric_row and may_link(ws):
                url(row, col, link(metrics, book.metric_row[index], text=value), link_f)
            else:
                add((col, value, None))
        if item.kind:
            add((c["type"], type_words[item.kind], None))
        for col, key in numbers:
            value = getattr(item, key)
            if value is not None:
                add((col, value, num))
        current = item.current
        if isinstance(current, int | float):  # a TRUE/FALSE milestone keeps no number format
            add((c["current"], current, None if isinstance(current, bool) else num))
        elif current is not None and current != "":
            add((c["current"], str(current), None))
        if item.confidence is not None:
            add((c["confidence"], item.confidence, pct))
        if item.metric_state:
            when = f"{item.as_of:%Y-%m-%d %H:%M} " if item.as_of else ""
            add((c["as_of"], f"{when}({item.metric_state})", stale_f))
        elif item.as_of is not None:
            add((c["as_of"], item.as_of, f["datetime"]))
        score = r.scores.get(item.id)
        if score is not None:
            if score.progress is not None:
                add((c["progress"], score.progress, pct))
            if score.status:
                status = status_words.get(score.status, score.status)
                add((c["status"], status, status_f.get(score.status)))
            if score.rolled is not None and item.kind == "objective":
                add((n, score.rolled, pct))
            if score.achievement is not None:
                add((n + 1, score.achievement, pct))
        found = book.problems_of(index)
        if found:
            add((n + 2, len(found), None))
            details = "\n".join(f"{r.problems[p].code}: {r.problems[p].message}" for p in found)
            add((n + 3, details[:32000], None))
        add((n + 4, item.where.row, None))
        down = book.data_link(index)
        if down is not None and may_link(ws):
            url(row, n + 5, down, link_f)
        put(row, cells)
        row += 1
