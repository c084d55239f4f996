"""The Data sheet: the records behind each metric-fed key result, reconciled.

One block per key result whose metric has a stored detail for its period:
a heading that links back up to the key result in Company, then the metric,
source, as-of, value, rows shown of rows total and the reconciliation, then
the rows as values (outside text is written as text, never as a formula).
The key result's rows in Company, its department sheet and Metrics link down
to its block. A detail that does not add up to its value is a
``detail-mismatch`` warning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from okr.model import Item
from okr.problems import Problem, item_problem
from sync.company.style import FIRST, link
from sync.metrics.detail import MISMATCH, Detail
from sync.xlsx.links import may_link

if TYPE_CHECKING:
    from sync.company.book import Book

#: Rows of a block before its records: heading, six facts, the column header.
HEAD_ROWS = 8
#: Heading keys of the facts above each block's rows (headings: ``sync.company.words``).
_FACTS = ("metric", "source", "as_of", "value", "rows", "reconciliation")


@dataclass(frozen=True)
class DataBlock:
    """One key result's detail."""

    #: position of the key result in ``Report.items``
    index: int
    detail: Detail


def data_blocks(
    items: Sequence[Item],
    details: Mapping[tuple[str, str], Detail],
    order: Sequence[int] | None = None,
) -> tuple[DataBlock, ...]:
    """A block per metric-fed key result with a detail, in *order* (default read order)."""
    out = []
    for index in range(len(items)) if order is None else order:
        item = items[index]
        if item.is_key_result and item.metric:
            found = details.get((item.metric, item.period_label))
            if found is not None:  # a failed one shows its reason, so nobody looks in vain
                out.append(DataBlock(index, found))
    return tuple(out)


def detail_problems(items: Sequence[Item], blocks: Sequence[DataBlock]) -> list[Problem]:
    """``detail-mismatch`` warnings for details that do not add up to their value."""
    out = []
    for block in blocks:
        d = block.detail
        if d.status != MISMATCH:
            continue
        item = items[block.index]
        out.append(
            item_problem(
                "detail-mismatch",
                item,
                "current",
                f"the detail rows of metric {d.metric} for {item.id} do not add up: value "
                f"{d.value:,.2f}, detail total ({d.total_column}) {d.total:,.2f}, difference "
                f"{d.difference:,.2f}: fix the detail query or its window so the list is "
                "the number",
            )
        )
    return out


def plan(blocks: Sequence[DataBlock]) -> dict[int, int]:
    """Item index -> the 0-based Data row of its block's heading."""
    out: dict[int, int] = {}
    row = FIRST
    for block in blocks:
        out.setdefault(block.index, row)
        row += HEAD_ROWS + len(block.detail.rows) + 1
    return out


def _cell(ws, row: int, col: int, value, f) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        if value == value and value not in (float("inf"), float("-inf")):
            ws.write_number(row, col, value)
        else:
            ws.write_string(row, col, str(value))
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, f["datetime"])
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime.combine(value, datetime.min.time()))
    else:
        ws.write_string(row, col, str(value)[:32000])


def write_data(book: Book) -> None:
    """One block per key result with a detail, each linking back up to Company."""
    r = book.report
    f, w = book.f, book.w
    company = w.sheet("company")
    ws = book.add_sheet(
        w.sheet("data"),
        w["data_title"].format(as_of=f"{r.as_of:%Y-%m-%d}"),
        w["data_note"].format(company=company, problems=w.sheet("problems")),
    )
    labels = [w.heading(key) for key in _FACTS]
    ws.set_column(0, 0, 22)
    ws.set_column(1, 12, 16)
    row = FIRST
    for block in r.data:
        item = r.items[block.index]
        d = block.detail
        up = book.company_of(block.index)
        heading = f"{item.id} · {item.title}" if item.title else item.id
        if up is not None and may_link(ws):
            ws.write_url(row, 0, link(company, up, text=heading), f["link"])
        else:
            ws.write_string(row, 0, heading, f["bold"])
        facts = (
            d.metric,
            d.source,
            d.as_of,
            d.value,
            w["data_shown"].format(shown=len(d.rows), total=d.row_count),
            d.summary(),
        )
        for k, (key, label, value) in enumerate(zip(_FACTS, labels, facts, strict=True), start=1):
            ws.write_string(row + k, 0, label, f["bold"])
            style = f["off track"] if key == "reconciliation" and d.status == MISMATCH else None
            if isinstance(value, str) and style is not None:
                ws.write_string(row + k, 1, value, style)
            else:
                _cell(ws, row + k, 1, value, f)
        top = row + HEAD_ROWS - 1
        for c, name in enumerate(d.columns):
            ws.write_string(top, c, name, f["header"])
        for k, values in enumerate(d.rows, start=1):
            for c, value in enumerate(values):
                _cell(ws, top + k, c, value, f)
        row += HEAD_ROWS + len(d.rows) + 1
