"""xlwings UDFs for desktop Excel: one-line wrappers over ``okr/``.

In Excel (with the xlwings add-in, ``UDF Modules`` set to ``addin.udfs``)::

    =OKR_PROGRESS(H2, J2, K2, L2)        clamped progress of a key result
    =OKR_STATUS(Q2, G2, TODAY())         on track / at risk / off track / not started
    =OKR_CHECK(OKRs[#All])               one problem line per row of the table

They compute exactly what ``okr check`` and the template's formulas compute,
because they call the same functions.
"""

from __future__ import annotations

from datetime import date, datetime

import xlwings as xw

from okr import scoring, status
from okr.cascade import check
from okr.model import Item
from okr.periods import parse_period
from okr.problems import sort_key
from okr.reading import TableError, from_excel_serial, leading_id, parse_number, read_table
from okr.schema import parse_direction

PROBLEMS_HEADING = "Problems"


def _number(value: object) -> float | None:
    """A cell as a number, None when empty or unreadable (as the reader treats it)."""
    try:
        return parse_number(value)
    except ValueError:
        return None


def _day(value: object) -> date:
    """A date from a date, a datetime, an Excel serial number or ISO text; today if empty."""
    if value is None or value == "":
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_excel_serial(value).date()
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValueError(f"as_of {value!r} is not a date: give a date cell or 2026-11-15") from None


@xw.func
@xw.arg("direction", doc="increase, decrease, at least, at most or milestone, any spelling")
@xw.arg("baseline", doc="where the key result started; empty counts as 0")
@xw.arg("target", doc="where it should end")
@xw.arg("current", doc="where it is now; for a milestone: done, yes, 1, TRUE, 是 ...")
def OKR_PROGRESS(direction: object, baseline: object, target: object, current: object) -> float:
    """Progress of a key result in [0, 1], as okr.scoring.progress computes it."""
    kind = parse_direction(direction)
    # A milestone's Current is a word (done, 是); every other direction needs a number.
    value = current if kind == "milestone" else _number(current)
    return scoring.progress(kind, _number(baseline), _number(target), value)


@xw.func
@xw.arg("progress", doc="progress between 0 and 1 (the Progress column)")
@xw.arg("period", doc="2026, 2026-H2, 2026-Q4 or 2026-11")
@xw.arg("as_of", doc="the evaluation date; empty means today")
def OKR_STATUS(progress: object, period: object, as_of: object = None) -> str:
    """``on track``, ``at risk``, ``off track``, ``not started``, or "" when unknown."""
    return status.status(_number(progress), parse_period(period), _day(as_of)) or ""


@xw.func
@xw.arg("table_range", ndim=2, doc="the whole OKR table including its header row")
@xw.arg("parents", ndim=1, doc="optional: IDs of the level above, e.g. the ParentList range")
def OKR_CHECK(
    table_range: list[list[object]], parents: list[object] | None = None
) -> list[list[str]]:
    """One row of problem messages per row of *table_range*, headed "Problems".

    Runs okr.reading.read_table and okr.cascade.check on the range, so a
    missing parent, a duplicate ID or a bad target shows next to its row.
    *parents* lists the IDs that live in other workbooks ("CO-O1 · Grow
    revenue" entries work), so objectives pointing there are not reported as
    unknown-parent. Problems that belong to no row follow the heading.
    """
    rows = [list(row) for row in table_range]
    # Only the ID (the text before the first space) matters for the check.
    ids = (leading_id(p) for p in parents or ())
    context = [Item(id=i, kind=None, parent=None) for i in ids if i]
    try:
        table = read_table(rows, "", "")
    except TableError as exc:
        return [[f"{PROBLEMS_HEADING}: {exc}"]] + [[""] for _ in rows[1:]]
    lines: list[list[str]] = [[] for _ in rows]
    general: list[str] = []
    found = [*table.problems, *check(list(table.items), context=context)]
    for problem in sorted(found, key=sort_key):
        row = problem.row - 1 if problem.row is not None else -1
        target = lines[row] if 0 <= row < len(rows) else general
        if problem.message not in target:
            target.append(problem.message)
    header = table.header_row - 1
    heading = ": ".join([PROBLEMS_HEADING, "; ".join(general)] if general else [PROBLEMS_HEADING])
    return [
        [heading if r == header else "; ".join(messages) if r > header else ""]
        for r, messages in enumerate(lines)
    ]
