"""The spreadsheet functions, pure: scalars or 2-D ranges in, the broadcast shape out.

One implementation behind every surface that is not a sheet formula: the
xlwings UDFs (``addin/udfs.py``) and the service's ``/api/v1/functions``
routes are thin wrappers over ``call``. Every argument is a scalar or a
2-D array (rows of cells, as Excel and Google Sheets pass ranges); arguments
broadcast like NumPy's (a dimension of 1 stretches), so a whole column is
one call. A cell that cannot be computed becomes a ``CellError`` in that
cell; the other cells are still answered. An argument whose shape is wrong
raises ``ArgumentError`` naming it.

``OKR_METRIC`` needs the store, which ``okr/`` may not touch: it takes a
*lookup* callable that the caller (sync side) supplies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from okr import scoring, status
from okr.cascade import check
from okr.model import Item
from okr.numbers import AmbiguousNumber
from okr.periods import parse_period
from okr.problems import sort_key
from okr.reading import TableError, as_date, leading_id, parse_number, read_table
from okr.schema import parse_direction

PROBLEMS_HEADING = "Problems"

#: What a cell may hold when it reaches a function.
Cell = str | int | float | bool | date | datetime | None
Grid = list[list[Any]]
#: ``lookup(metric, period) -> value``; raises ``LookupError`` when the metric has none.
MetricLookup = Callable[[str, str], object]


class ArgumentError(ValueError):
    """An argument cannot be used at all (wrong shape, wrong count); the message names it."""

    def __init__(self, argument: str, message: str) -> None:
        """*argument* is the parameter's name, *message* what is wrong and how to fix it."""
        super().__init__(f"{argument}: {message}")
        self.argument = argument


@dataclass(frozen=True)
class CellError:
    """A cell the function could not compute, with a reason for the person at the sheet."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The JSON shape the service answers in the cell's place."""
        return {"code": self.code, "message": self.message}


# --- arguments ------------------------------------------------------------------------------


def _is_grid(value: object) -> bool:
    return isinstance(value, list | tuple)


def as_grid(name: str, value: object) -> Grid:
    """*value* as a rectangular 2-D list; a scalar is 1×1, a flat list one column."""
    if not _is_grid(value):
        _cell(name, value)
        return [[value]]
    rows = [list(r) if _is_grid(r) else [r] for r in value]  # type: ignore[union-attr]
    if not rows or not rows[0]:
        raise ArgumentError(name, "is an empty range; give a cell or a range with cells")
    width = len(rows[0])
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ArgumentError(
                name, f"row {r + 1} has {len(row)} cells, row 1 has {width}: give a rectangle"
            )
        for cell in row:
            _cell(name, cell)
    return rows


def _cell(name: str, value: object) -> None:
    if value is not None and not isinstance(value, str | int | float | bool | date):
        raise ArgumentError(name, f"a cell holds {type(value).__name__}; give text or a number")


def broadcast_shape(grids: dict[str, Grid]) -> tuple[int, int]:
    """The shape every argument stretches to; ``ArgumentError`` when two cannot meet."""
    rows = cols = 1
    for name, grid in grids.items():
        h, w = len(grid), len(grid[0])
        if h != 1:
            if rows not in (1, h):
                raise ArgumentError(name, f"has {h} rows where another range has {rows}")
            rows = h
        if w != 1:
            if cols not in (1, w):
                raise ArgumentError(name, f"has {w} columns where another range has {cols}")
            cols = w
    return rows, cols


class _Failed:
    """A prepared cell whose conversion raised: the cells it reaches hold the error."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _prepared(convert: Callable[[object], object], grid: Grid) -> Grid:
    """*grid* with each cell converted once (a scalar stretched over a column: once)."""

    def one(cell: object) -> object:
        try:
            return convert(cell)
        except ValueError as exc:
            return _Failed(str(exc))

    return [[one(cell) for cell in row] for row in grid]


def broadcast(
    func: Callable[..., object],
    args: dict[str, object],
    prepare: dict[str, Callable[[object], object]] | None = None,
) -> object:
    """Apply *func* cell by cell over *args* (scalars or 2-D); scalar in, scalar out.

    A ``ValueError`` from one cell becomes a ``CellError`` in that cell only.
    *prepare* converts the cells of the named arguments before broadcasting,
    so a scalar is parsed once rather than once per cell; the first of them
    (in argument order) that raised is that cell's error, so a converter may
    raise only where *func* would have raised first.
    """
    grids = {name: as_grid(name, value) for name, value in args.items()}
    for name, convert in (prepare or {}).items():
        grids[name] = _prepared(convert, grids[name])
    failures = any(type(c) is _Failed for n in prepare or () for row in grids[n] for c in row)

    def one(*cells: object) -> object:
        if failures:
            failed = next((c for c in cells if type(c) is _Failed), None)
            if failed is not None:
                return CellError("bad-argument", failed.message)
        try:
            return func(*cells)
        except ValueError as exc:
            return CellError("bad-argument", str(exc))

    if not any(_is_grid(v) for v in args.values()):
        return one(*(g[0][0] for g in grids.values()))
    rows, cols = broadcast_shape(grids)
    # Every argument stretched to one flat list of rows × cols cells, zipped: one call per cell.
    flat = map(one, *(_stretched(g, rows, cols) for g in grids.values()))
    return [[next(flat) for _ in range(cols)] for _ in range(rows)]


def _stretched(grid: Grid, rows: int, cols: int) -> list[object]:
    """*grid*'s cells row by row, a one-row or one-column grid repeated to *rows* × *cols*."""
    tall, wide = len(grid) > 1, len(grid[0]) > 1
    if tall and wide:
        return [cell for row in grid for cell in row]
    if tall:
        return [row[0] for row in grid for _ in range(cols)]
    if wide:
        return grid[0] * rows
    return [grid[0][0]] * (rows * cols)


# --- cells ----------------------------------------------------------------------------------


def number(value: object, decimal: str | None = None) -> float | None:
    """A cell as a number, None when empty or unreadable (as the reader treats it).

    Text that reads as two numbers (``12,5`` with no *decimal* mark set) raises
    ``ValueError`` saying so, as the reader makes it a problem at its cell.
    """
    try:
        return parse_number(value, decimal)
    except AmbiguousNumber:
        raise ValueError(
            f"{value!r} is read one way with a decimal point and another with a decimal comma: "
            "type a plain number such as 12.5, or set [organisation] decimal"
        ) from None
    except ValueError:
        return None


def day(value: object, today: date | None = None) -> date:
    """A date from a date, a datetime, a spreadsheet serial or ISO text; today if empty."""
    if value is None or value == "":
        return today or date.today()
    try:
        return as_date(value)
    except (ValueError, OverflowError):
        raise ValueError(f"as_of {value!r} is not a date: give a date cell or 2026-11-15") from None


def progress_cell(
    direction: object,
    baseline: object,
    target: object,
    current: object,
    *,
    decimal: str | None = None,
) -> float:
    """Progress of one key result in [0, 1], as okr.scoring.progress computes it."""
    kind = parse_direction(direction)
    return _progress_parsed(
        kind, number(baseline, decimal), number(target, decimal), current, decimal=decimal
    )


def _progress_parsed(
    kind: str,
    baseline: float | None,
    target: float | None,
    current: object,
    *,
    decimal: str | None = None,
) -> float:
    # A milestone's Current is a word (done, 是); every other direction needs a number.
    value = current if kind == "milestone" else number(current, decimal)
    return scoring.progress(kind, baseline, target, value)


def status_cell(
    progress: object, period: object, as_of: object = None, *, decimal: str | None = None
) -> str:
    """``on track``, ``at risk``, ``off track``, ``not started``, or "" when unknown."""
    return status.status(number(progress, decimal), parse_period(period), day(as_of)) or ""


# --- the functions --------------------------------------------------------------------------


def okr_progress(
    direction: object,
    baseline: object,
    target: object,
    current: object,
    *,
    decimal: str | None = None,
) -> object:
    """OKR_PROGRESS over scalars or ranges; *decimal* is ``[organisation] decimal``."""
    # Direction, baseline and target parsed once per cell of their own ranges, in the
    # order progress_cell parses them, so a cell's error is the one it would give.
    read = partial(number, decimal=decimal)
    return broadcast(
        partial(_progress_parsed, decimal=decimal),
        {"direction": direction, "baseline": baseline, "target": target, "current": current},
        {"direction": parse_direction, "baseline": read, "target": read},
    )


def okr_status(
    progress: object, period: object, as_of: object = None, *, decimal: str | None = None
) -> object:
    """OKR_STATUS over scalars or ranges; an empty *as_of* means today."""
    return broadcast(
        partial(status_cell, decimal=decimal),
        {"progress": progress, "period": period, "as_of": as_of},
    )


def okr_check(table_range: object, parents: object = None, *, decimal: str | None = None) -> Grid:
    """One row of problem messages per row of *table_range*, headed "Problems".

    *parents* lists IDs that live in other workbooks ("CO-O1 · Grow revenue"
    entries work); problems that belong to no row follow the heading.
    """
    # A table may be ragged (a title row above the header): rows are taken as they come.
    if not _is_grid(table_range):
        table_range = [[table_range]]
    rows = [list(r) if _is_grid(r) else [r] for r in table_range]  # type: ignore[union-attr]
    for row in rows:
        for cell in row:
            _cell("table_range", cell)
    flat = [c for row in as_grid("parents", parents) for c in row] if parents is not None else []
    # Only the ID (the text before the first space) matters for the check.
    context = [Item(id=i, kind=None, parent=None) for i in map(leading_id, flat) if i]
    try:
        table = read_table(rows, "", "", decimal=decimal)
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


def okr_metric(name: object, period: object, lookup: MetricLookup) -> object:
    """OKR_METRIC: the latest value of metric *name* for *period*, from *lookup*."""

    def one(metric: object, when: object) -> object:
        metric_name = "" if metric is None else str(metric).strip()
        if not metric_name:
            raise ValueError("name is empty: give the metric's name from the registry")
        try:
            return lookup(metric_name, "" if when is None else str(when).strip())
        except LookupError as exc:
            raise ValueError(str(exc)) from None

    return broadcast(one, {"name": name, "period": period})


@dataclass(frozen=True)
class Function:
    """One spreadsheet function: its name, parameters (in order) and how many are required."""

    name: str
    params: tuple[str, ...]
    required: int
    impl: Callable[..., object]


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("OKR_PROGRESS", ("direction", "baseline", "target", "current"), 4, okr_progress),
        Function("OKR_STATUS", ("progress", "period", "as_of"), 2, okr_status),
        Function("OKR_CHECK", ("table_range", "parents"), 1, okr_check),
        Function("OKR_METRIC", ("name", "period"), 1, okr_metric),
    )
}


def call(
    name: str,
    args: Sequence[object],
    *,
    lookup: MetricLookup | None = None,
    decimal: str | None = None,
) -> object:
    """Call function *name* with positional *args*; ``KeyError`` when there is no such one.

    Missing optional arguments are None (an empty cell); too few or too many
    raise ``ArgumentError``. ``OKR_METRIC`` needs *lookup*. *decimal* is
    ``[organisation] decimal``, how numbers typed as text are read.
    """
    func = FUNCTIONS[name.upper()]
    if len(args) < func.required or len(args) > len(func.params):
        wanted = (
            str(func.required)
            if func.required == len(func.params)
            else f"{func.required} to {len(func.params)}"
        )
        raise ArgumentError(
            "args",
            f"{func.name} takes {wanted} arguments ({', '.join(func.params)}), got {len(args)}",
        )
    padded = list(args) + [None] * (len(func.params) - len(args))
    if func.name == "OKR_METRIC":
        if lookup is None:
            raise ArgumentError("name", "metrics are not available here: no store configured")
        return func.impl(*padded, lookup=lookup)
    return func.impl(*padded, decimal=decimal)


#: JSON values result_json passes through as they are (a column of progress is floats).
_PLAIN = frozenset({float, int, str, bool, type(None)})


def result_json(value: object) -> object:
    """A result with every ``CellError`` as ``{"error": {...}}`` and dates as ISO text."""
    if isinstance(value, CellError):
        return {"error": value.as_dict()}
    if isinstance(value, list):
        return [v if type(v) in _PLAIN else result_json(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
