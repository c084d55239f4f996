"""The records behind a metric's value: fetched in the same window, capped, reconciled.

A metric may name how to list its records (``detail`` SQL or SOQL,
``detail_columns`` of a file export, ``detail_path`` of an HTTP answer). Each
connector kind has its own ``fetch_detail(metric, start, end)`` that only
fetches (``DetailRows``); ``capture`` here keeps the first ``detail_rows``
rows (default 200), counts them all, and reconciles them with the value when
``detail_total`` names a column (its sum) or ``count`` (the row count).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sync.metrics.connectors import MetricError, shorten

if TYPE_CHECKING:
    from sync.metrics.connectors import Connector
    from sync.metrics.registry import MetricDef

DEFAULT_ROWS = 200
#: A detail scans at most this many rows (the total beyond it is not known).
SCAN_LIMIT = 100_000
#: The detail total may differ from the value by this much (rounding of cents).
TOLERANCE = 0.005
#: The keys that ask for a detail, per connector kind.
DETAIL_KEYS = {"sql": "detail", "salesforce": "detail", "file": "detail_columns",
               "http": "detail_path"}  # fmt: skip

RECONCILED, MISMATCH, UNCHECKED, FAILED = "reconciled", "mismatch", "unchecked", "failed"


@dataclass(frozen=True)
class DetailRows:
    """What a connector fetched: column names and every row (up to ``SCAN_LIMIT``)."""

    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]]
    #: True when the source had more rows than were scanned
    truncated: bool = False
    #: True when every value is already JSON-like (decoded JSON): no conversion needed
    plain: bool = False


@dataclass(frozen=True)
class Detail:
    """The kept rows of a metric's detail and how they reconcile with its value."""

    metric: str
    period: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    #: rows in the source window (all of them, not only those kept)
    row_count: int = 0
    #: sum of the ``detail_total`` column (or the row count); None when not asked
    total: float | None = None
    total_column: str = ""
    #: ``reconciled``, ``mismatch``, ``unchecked`` (no detail_total) or ``failed``
    status: str = UNCHECKED
    error: str = ""
    value: float | None = None
    as_of: datetime | None = None
    source: str = ""
    window: tuple[date, date] | None = field(default=None, compare=False)

    @property
    def difference(self) -> float | None:
        """Value minus detail total, when both are known."""
        if self.total is None or self.value is None:
            return None
        return self.value - self.total

    def summary(self) -> str:
        """``reconciled: 12 rows total 1,234.00`` style one-line result."""
        if self.status == FAILED:
            return f"failed: {self.error}"
        if self.status == UNCHECKED:
            return "not reconciled (no detail_total)"
        shown = f"{self.total:,.2f}" if self.total is not None else "—"
        if self.status == RECONCILED:
            return f"reconciled: detail total {shown} = value"
        return (
            f"MISMATCH: value {self.value:,.2f}, detail total {shown}, "
            f"difference {self.difference:,.2f}"
        )


def wants_detail(metric: MetricDef) -> bool:
    """True when *metric* names how to list its records."""
    key = DETAIL_KEYS.get(metric.kind)
    return bool(key and metric.spec.get(key))


def cap_of(metric: MetricDef) -> int:
    """How many rows of the detail to keep (``detail_rows``, default 200)."""
    return int(metric.spec.get("detail_rows", DEFAULT_ROWS))


def check_detail(metric: MetricDef) -> None:
    """Raise ``ValueError`` for a bad ``detail_rows`` or ``detail_total``."""
    rows = metric.spec.get("detail_rows", DEFAULT_ROWS)
    if not isinstance(rows, int) or isinstance(rows, bool) or not 0 < rows <= 10_000:
        raise ValueError("detail_rows must be a whole number from 1 to 10000")
    total = metric.spec.get("detail_total")
    if total is not None and (not isinstance(total, str) or not total.strip()):
        raise ValueError('detail_total must name a column, or be "count"')
    if (rows != DEFAULT_ROWS or total is not None) and not wants_detail(metric):
        key = DETAIL_KEYS.get(metric.kind, "detail")
        raise ValueError(f"detail_rows and detail_total need {key}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, numbers.Real) or type(value).__name__ == "Decimal":
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


#: Types kept as they are (the common case, checked first: details are large).
_AS_IS = frozenset((str, int, float, bool, type(None)))
#: Types summed as they are by a reconciliation.
_FLOATS = frozenset((int, float))


def plain(value: Any) -> Any:
    """A cell value the store (JSON) and the workbook can hold: number, text, bool or None.

    A float that is not finite stays as it is here; the Data sheet writes it as text.
    """
    if value.__class__ in _AS_IS:
        return value
    if isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) or type(value).__name__ == "Decimal":
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def reconcile(
    metric: MetricDef, fetched: DetailRows, value: float | None
) -> tuple[float | None, str, str]:
    """(detail total, status, error) of *fetched* against *value*."""
    wanted = metric.spec.get("detail_total")
    if not wanted:
        return None, UNCHECKED, ""
    if fetched.truncated:
        return None, FAILED, f"more than {SCAN_LIMIT} rows: the total cannot be checked"
    if str(wanted).strip().lower() == "count":
        total = float(len(fetched.rows))
    else:
        columns = [c.lower() for c in fetched.columns]
        if str(wanted).lower() not in columns:
            shown = ", ".join(fetched.columns[:12])
            return None, FAILED, f"detail has no column {wanted!r} (columns: {shown})"
        at = columns.index(str(wanted).lower())
        if fetched.plain:  # tuples as long as the columns
            total = _column_sum(list(map(itemgetter(at), fetched.rows)))
        else:
            total = _column_sum([r[at] for r in fetched.rows if at < len(r)])
    if value is None:
        return total, UNCHECKED, ""
    ok = abs(value - total) <= TOLERANCE + 1e-9 * max(abs(value), abs(total))
    return total, RECONCILED if ok else MISMATCH, ""


def _column_sum(values: list[Any]) -> float:
    """The sum of the numbers among *values* (text numbers read, the rest counted as 0)."""
    if set(map(type, values)) <= _FLOATS:
        total = float(sum(map(float, values)))
        if math.isfinite(total):  # else a value was not finite: those count as 0 below
            return total
    return float(sum(_number(v) or 0.0 for v in values))


def capture(
    metric: MetricDef,
    connector: Connector,
    period: str,
    start: date,
    end: date,
    value: float | None,
    *,
    as_of: datetime | None = None,
    source: str = "",
) -> Detail:
    """Fetch, cap and reconcile *metric*'s detail; a failure comes back as a value."""
    try:
        fetched: DetailRows = connector.fetch_detail(metric, start, end)  # type: ignore[attr-defined]
    except MetricError as exc:
        return Detail(metric.name, period, status=FAILED, error=shorten(str(exc), 300),
                      value=value, as_of=as_of, source=source, window=(start, end))  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - a connector bug must not stop the run
        error = f"unexpected {type(exc).__name__}: {shorten(str(exc), 200)}"
        return Detail(metric.name, period, status=FAILED, error=error, value=value,
                      as_of=as_of, source=source, window=(start, end))  # fmt: skip
    total, status, error = reconcile(metric, fetched, value)
    kept = fetched.rows[: cap_of(metric)]
    # rows_of_records makes tuples of JSON values: those are kept as they are
    keep = tuple(kept) if fetched.plain else tuple(tuple(map(plain, row)) for row in kept)
    return Detail(
        metric.name,
        period,
        tuple(str(c) for c in fetched.columns),
        keep,
        len(fetched.rows),
        total,
        str(metric.spec.get("detail_total") or ""),
        status,
        error,
        value,
        as_of,
        source,
        (start, end),
    )


def rows_of_records(records: Sequence[dict[str, Any]]) -> DetailRows:
    """Columns (first-seen order) and rows (tuples) of a list of JSON-like objects.

    *records* is not copied: the caller hands over the decoded list.
    """
    columns: dict[str, None] = {}
    # most APIs send the same keys every time: each distinct shape is looked at once
    shapes = dict.fromkeys(map(tuple, records))
    for keys in shapes:
        columns.update((str(k), None) for k in keys if k != "attributes")
    names = tuple(columns)
    scanned = records[:SCAN_LIMIT] if len(records) > SCAN_LIMIT else records
    if len(names) > 1 and len(shapes) == 1 and all(type(k) is str for k in next(iter(shapes))):
        rows = list(map(itemgetter(*names), scanned))  # every record has every column
    else:
        rows = [tuple(map(r.get, names)) for r in scanned]
    # Nested objects (a Salesforce relationship) are flattened where the first row has one:
    # column by column, so the other columns are not touched value by value.
    nested = [i for i, v in enumerate(rows[0]) if isinstance(v, dict | list)] if rows else []
    if nested:
        cols = list(zip(*rows, strict=True))
        for i in nested:
            cols[i] = _flat_column(cols[i])
        rows = list(zip(*cols, strict=True))
    return DetailRows(names, rows, len(records) > SCAN_LIMIT, plain=True)


def _flat_column(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A column of related objects as their names (``_flat`` for each, at C speed when all
    are objects with a Name)."""
    try:
        return tuple(map(itemgetter("Name"), values))
    except (KeyError, TypeError, IndexError):
        return tuple(map(_flat, values))


def _flat(value: Any) -> Any:
    """Nested objects (a Salesforce relationship) become their Name or their text."""
    if isinstance(value, dict):
        if "Name" in value:
            return value["Name"]
        return shorten(str({k: v for k, v in value.items() if k != "attributes"}), 200)
    if isinstance(value, list):
        return shorten(str(value), 200)
    return value
