"""Turn the cell grid of an OKR sheet into ``Item`` values.

The grid is whatever a spreadsheet reader returns (python-calamine, openpyxl,
gspread): a list of rows of plain Python values. Headers are mapped in any
supported language and spelling; a cell of the wrong type becomes a problem
naming that cell, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from sys import intern
from typing import Any

from okr.cells import all_empty, cell_text, clean, cleaned, shared
from okr.memo import by_text
from okr.model import Item, Location
from okr.numbers import (
    ERROR_VALUES,
    AmbiguousNumber,
    is_percent_unit,
    parse_number,
    typed_percent,
)
from okr.periods import parse_period
from okr.problems import Problem, make_problem
from okr.schema import (
    COLUMN_BY_KEY,
    REQUIRED_KEYS,
    column_for_header,
    column_letter,
    parse_direction,
    parse_type,
)
from okr.shares import read_parents

#: How many rows from the top may hold the header row.
HEADER_SEARCH_ROWS = 20
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
# "2026-11-20 09:30 (failed: timeout)": the date of the last good value and its state.
_STATE_RE = re.compile(
    r"^\s*(?P<date>\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?)?"
    r"\s*(?:\((?P<state>[^)]*)\))?\s*$"
)
_NUMBER_CODES = {"baseline": "target", "target": "target", "current": "target", "weight": "weight"}


class TableError(ValueError):
    """The sheet has no recognisable OKR table (no header row, missing columns)."""


@dataclass(frozen=True)
class Table:
    """The items read from one sheet, with the problems found while reading."""

    workbook: str
    sheet: str
    items: tuple[Item, ...]
    problems: tuple[Problem, ...] = ()
    header_row: int = 1
    letters: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    #: the rows of the workbook's Check-ins sheet (``okr.checkins.CheckIn``)
    checkins: tuple[Any, ...] = field(default=(), repr=False)


def find_header(grid: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]]:
    """Locate the header row; return its 0-based index and key -> column index.

    Raises ``TableError`` naming the missing headers when no row qualifies.
    """
    best: tuple[int, dict[str, int]] | None = None
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cols: dict[str, int] = {}
        for c, value in enumerate(row):
            key = column_for_header(value) if isinstance(value, str) else None
            if key and key not in cols:
                cols[key] = c
        if "id" in cols and (best is None or len(cols) > len(best[1])):
            best = (r, cols)
            if all(k in cols for k in REQUIRED_KEYS):
                break
    if best is None:
        raise TableError("no header row with an 'ID' column in the first 20 rows")
    missing = [COLUMN_BY_KEY[k].en for k in REQUIRED_KEYS if k not in best[1]]
    if missing:
        raise TableError(
            f"header row {best[0] + 1} lacks the column(s) {', '.join(missing)}: "
            "add them or start from okr_template.xlsx"
        )
    return best


def read_table(
    grid: Sequence[Sequence[object]], workbook: str, sheet: str, *, decimal: str | None = None
) -> Table:
    """Read every non-empty row under the header into items and problems.

    *decimal* is the decimal mark of numbers typed as text (see ``parse_number``).
    """
    header, cols = find_header(grid)
    letters = tuple((k, column_letter(c)) for k, c in cols.items())
    items: list[Item] = []
    problems: list[Problem] = []
    keys = tuple(cols)
    # The columns read, as one C call per row (a tuple: the required columns are
    # several); Progress and Status are formulas, not input.
    take = itemgetter(*cols.values())
    inputs = itemgetter(*(c for k, c in cols.items() if k not in ("progress", "status")))
    last = max(cols.values())
    numbers: dict[object, float] = {}  # one float per value in the sheet (``shared``)
    for r in range(header + 1, len(grid)):
        row = grid[r]
        if len(row) <= last:  # gspread leaves out a row's trailing empty cells
            row = [*row, *[None] * (last + 1 - len(row))]
        # Most template rows are empty: skip them before building anything.
        if all_empty(inputs(row)):
            continue
        cells = dict(zip(keys, cleaned(take(row)), strict=True))
        where = Location(workbook, sheet, r + 1, letters)
        item, found = _read_row(cells, where, decimal, numbers)
        items.append(item)
        problems.extend(found)
    return Table(workbook, sheet, tuple(items), tuple(problems), header + 1, letters)


def read_ids(grid: Sequence[Sequence[object]], workbook: str, sheet: str) -> Table:
    """Only the IDs (with Type, Title, Department, Period) of a table that has an ID column.

    For tables that list rows others may name as Parent but are not OKR
    sheets themselves, such as the company workbook's ``Company`` sheet.
    """
    found = next(
        (
            (r, cols)
            for r, row in enumerate(grid[:HEADER_SEARCH_ROWS])
            if "id" in (cols := _keys(row))
        ),
        None,
    )
    if found is None:
        raise TableError("no header row with an 'ID' column in the first 20 rows")
    r, cols = found
    letters = tuple((k, column_letter(c)) for k, c in cols.items())
    items = []
    for n in range(r + 1, len(grid)):
        row = grid[n]
        cells = {k: clean(row[c]) if c < len(row) else None for k, c in cols.items()}
        item_id = cell_text(cells.get("id")).strip()
        if not item_id or not _ID_RE.match(item_id):
            continue
        label = cell_text(cells.get("period")).strip()
        period = parse_period(label) if label else None
        items.append(
            Item(
                id=item_id,
                kind=parse_type(cells.get("type")),
                parent=None,
                title=cell_text(cells.get("title")),
                department=cell_text(cells.get("department")),
                period_label=period.label if period else label,
                period=period,
                where=Location(workbook, sheet, n + 1, letters),
            )
        )
    return Table(workbook, sheet, tuple(items), (), r + 1, letters)


def _keys(row: Sequence[object]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, value in enumerate(row):
        key = column_for_header(value) if isinstance(value, str) else None
        if key and key not in cols:
            cols[key] = c
    return cols


_type = by_text(parse_type)
_direction = by_text(parse_direction)
_parents = by_text(read_parents)
_percent_unit = by_text(is_percent_unit)


def from_excel_serial(serial: float) -> datetime:
    """The date-time of an Excel serial number (1900 date system, day 0 = 1899-12-30).

    Rounded to the millisecond, the most a spreadsheet keeps: a float serial
    such as 46353.2708333333 means 06:30, not 06:29:59.999997.
    """
    return datetime(1899, 12, 30) + timedelta(milliseconds=round(float(serial) * 86_400_000))


def as_date(value: object) -> date:
    """A date from a date, a datetime, a spreadsheet serial or ISO text (``ValueError`` else)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_excel_serial(value).date()
    return date.fromisoformat(str(value).strip()[:10])


def leading_id(text: object) -> str | None:
    """The ID a Parent cell names: its first word ("CO-O1 · Grow revenue" -> CO-O1)."""
    words = cell_text(text).split()
    return words[0] if words else None


def _parse_as_of(value: object) -> tuple[datetime | None, str]:
    if value is None:
        return None, ""
    if isinstance(value, datetime):
        return value, ""
    if isinstance(value, date):
        return datetime.combine(value, time()), ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A serial date number from a reader that did not apply the format.
        return from_excel_serial(value), ""
    m = _STATE_RE.match(str(value))
    if not m:
        raise ValueError(str(value))
    when = datetime.fromisoformat(m.group("date")) if m.group("date") else None
    return when, (m.group("state") or "").strip()


#: ``parse_period``, one shared (frozen) value per label: every row names its period.
_period = by_text(parse_period)


def _read_row(
    cells: dict[str, object], where: Location, decimal: str | None, seen: dict[object, float]
) -> tuple[Item, list[Problem]]:
    problems: list[Problem] = []
    # Interned: the check-ins, the tree and the scores name the same IDs again and again.
    item_id = intern(cell_text(cells.get("id")).strip())

    def report(code: str, key: str, message: str) -> None:
        problems.append(
            make_problem(
                code,
                message,
                id=item_id,
                workbook=where.workbook,
                sheet=where.sheet,
                cell=where.cell(key),
            )
        )

    if not item_id:
        report("bad-id", "id", "row has content but no ID: give it a unique ID such as SALES-O1")
    elif not _ID_RE.match(item_id):
        report(
            "bad-id",
            "id",
            f"ID '{item_id}' is not valid: use only letters, digits, '-', '_' and '.', "
            "no spaces, at most 40 characters, e.g. SALES-KR1.2",
        )

    raw_type = cells.get("type")
    kind = _type(raw_type)
    if kind is None:
        shown = cell_text(raw_type) or "empty"
        report("type", "type", f"Type is {shown}: choose 'Objective' or 'Key Result'")

    parent, shares, share_message = _parents(cells.get("parent"))
    if share_message:
        report("parent-share", "parent", share_message)

    numbers: dict[str, float | None] = {}
    # Cells already reported as not numbers: the checks do not call them empty too.
    unread: list[str] = []
    for key in ("baseline", "target", "weight", "confidence"):
        try:
            numbers[key] = parse_number(cells.get(key), decimal)
        except ValueError as exc:
            numbers[key] = None
            unread.append(key)
            report(_NUMBER_CODES.get(key, "confidence"), key, _not_a_number(key, exc))

    direction = None
    if kind == "key result":
        raw_direction = cells.get("direction")
        direction = _direction(raw_direction)
        if direction is None:
            shown = cell_text(raw_direction) or "empty"
            report(
                "direction",
                "direction",
                f"Direction is {shown}: choose increase, decrease, at least, at most or milestone",
            )

    # In a key result measured in %, values are percentage points: "85%" is 85.
    percent = _percent_unit(cells.get("unit"))
    if percent:
        for key in ("baseline", "target"):
            if numbers[key] is not None and typed_percent(cells.get(key)):
                numbers[key] *= 100

    current = cells.get("current")
    if direction != "milestone" and current is not None:
        try:
            typed = typed_percent(current)
            current = parse_number(current, decimal)
            if percent and typed and current is not None:
                current *= 100
        except ValueError as exc:
            report("target", "current", _not_a_number("current", exc))
            unread.append("current")
            current = None
    elif isinstance(current, str) and current.upper() in ERROR_VALUES:
        report("target", "current", _not_a_number("current", ValueError(f"the error {current}")))
        unread.append("current")
        current = None

    period_label = cell_text(cells.get("period")).strip()
    period = _period(period_label) if period_label else None
    if period is None:
        shown = f"'{period_label}'" if period_label else "empty"
        report("period", "period", f"Period is {shown}: use 2026, 2026-H2, 2026-Q4 or 2026-11")

    weight = numbers["weight"]
    if weight is None:
        weight = 1.0
    elif weight < 0:
        report("weight", "weight", f"Weight is {weight:g}: use a number of 0 or more (default 1)")
        weight = 0.0

    confidence = numbers["confidence"]
    # 0.7 and 70% are shares; a whole 70 means 70 %; 170%, 1.7 or 170 are out of range.
    whole_points = confidence is not None and confidence.is_integer() and 1 < confidence <= 100
    if whole_points and not typed_percent(cells.get("confidence")):
        confidence /= 100
    if confidence is not None and not 0 <= confidence <= 1:
        report(
            "confidence",
            "confidence",
            f"Confidence is {confidence:g}: type a share between 0% and 100%",
        )
        confidence = None

    try:
        as_of, state = _parse_as_of(cells.get("as_of"))
    except ValueError:
        as_of, state = None, ""
        report(
            "stale", "as_of", "As of is not a date: leave it to the metric refresh or type a date"
        )

    item = Item(
        id=item_id,
        kind=kind,
        parent=parent,
        title=cell_text(cells.get("title")),
        # Owners, departments, units and metrics repeat on every row: one string each.
        owner=intern(cell_text(cells.get("owner"))),
        department=intern(cell_text(cells.get("department"))),
        period_label=period.label if period else period_label,
        period=period,
        direction=direction,
        unit=intern(cell_text(cells.get("unit"))),
        baseline=shared(seen, numbers["baseline"]),
        target=shared(seen, numbers["target"]),
        current=shared(seen, current) if isinstance(current, float) else current,
        weight=shared(seen, weight),
        confidence=shared(seen, confidence),
        metric=intern(cell_text(cells.get("metric"))),
        as_of=as_of,
        metric_state=state,
        notes=cell_text(cells.get("notes")),
        shares=shares,
        where=where,
        unread=tuple(unread),
    )
    return item, problems


def _not_a_number(key: str, exc: ValueError) -> str:
    name = COLUMN_BY_KEY[key].en
    if isinstance(exc, AmbiguousNumber):
        return (
            f"{name} is {exc}, read one way with a decimal point and another with a decimal "
            "comma: type a plain number such as 12.5, or set [organisation] decimal "
            "in okr.toml"
        )
    if str(exc).startswith("the error "):
        return f"{name} is {exc}: fix the formula or the cell it refers to, or type a plain number"
    return f"{name} is {exc}, not a number: type a plain number"
