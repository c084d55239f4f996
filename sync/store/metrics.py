"""Metric values in the store: every measurement, good or failed, with where and when.

Table ``metric_values`` (defined in ``sync.store.schema``): one row per
metric, period and attempt, with the value, when it was measured (``as_of``),
its source, how long it took, the error if it failed, and the measurement
window. A failed attempt has no value and no ``as_of``; ``latest(...,
good_only=True)`` finds the last good one. Trend views draw from ``history``.
Plain SQLAlchemy Core types only, so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Engine,
    func,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from sync.store.engine import store_failure
from sync.store.schema import metric_values

if TYPE_CHECKING:
    from sync.metrics.measure import Outcome


@dataclass(frozen=True)
class MetricRecord:
    """One stored measurement; ``value`` and ``as_of`` are None when it failed."""

    metric: str
    period: str
    value: float | None
    as_of: datetime | None
    source: str
    duration: float
    error: str
    recorded_at: datetime
    window_start: date | None = None
    window_end: date | None = None

    @property
    def ok(self) -> bool:
        """True for a good value."""
        return self.value is not None and not self.error


def record(
    engine: Engine, outcomes: Iterable[Outcome], *, recorded_at: datetime | None = None
) -> int:
    """Store *outcomes* (ok or failed; skipped ones are left out) in one transaction.

    Returns the number of rows written; raises ``ServiceError`` when the store fails.
    """
    when = (recorded_at or datetime.now()).replace(microsecond=0)
    rows = [
        {
            "metric": o.metric,
            "period": o.period,
            "value": o.value if o.ok else None,
            "as_of": o.as_of if o.ok else None,
            "source": o.source,
            "duration": round(float(o.duration), 6),
            "error": o.error if not o.ok else "",
            "window_start": o.start,
            "window_end": o.end,
            "recorded_at": when,
        }
        for o in outcomes
        if o.state in ("ok", "failed")
    ]
    if not rows:
        return 0
    try:
        with engine.begin() as conn:
            conn.execute(insert(metric_values), rows)
    except SQLAlchemyError as exc:
        raise store_failure(
            engine.url.render_as_string(hide_password=True), exc, "record metric values in"
        ) from None
    return len(rows)


def _record(row: Any) -> MetricRecord:
    return MetricRecord(
        metric=row.metric,
        period=row.period,
        value=row.value,
        as_of=row.as_of,
        source=row.source or "",
        duration=row.duration or 0.0,
        error=row.error or "",
        recorded_at=row.recorded_at,
        window_start=row.window_start,
        window_end=row.window_end,
    )


def latest(
    engine: Engine, metric: str, period: str, *, good_only: bool = False
) -> MetricRecord | None:
    """The newest measurement of *metric* for *period* (the newest good one if *good_only*)."""
    newest = history(engine, metric, period, good_only=good_only, limit=1)
    return newest[0] if newest else None


def latest_all(engine: Engine) -> list[MetricRecord]:
    """The newest measurement of every (metric, period) pair, sorted by metric and period."""
    newest = (
        select(func.max(metric_values.c.id).label("id"))
        .group_by(metric_values.c.metric, metric_values.c.period)
        .subquery()
    )
    query = (
        select(metric_values)
        .join(newest, metric_values.c.id == newest.c.id)
        .order_by(metric_values.c.metric, metric_values.c.period)
    )
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(query)]


def history(
    engine: Engine,
    metric: str,
    period: str | None = None,
    *,
    since: datetime | None = None,
    good_only: bool = False,
    limit: int | None = None,
) -> list[MetricRecord]:
    """Every measurement of *metric* (for *period*, after *since*), oldest first.

    With *limit*, the newest *limit* measurements, still oldest first.
    """
    query = select(metric_values).where(metric_values.c.metric == metric)
    if period is not None:
        query = query.where(metric_values.c.period == period)
    if since is not None:
        query = query.where(metric_values.c.recorded_at >= since)
    if good_only:
        query = query.where(metric_values.c.value.is_not(None), metric_values.c.error == "")
    query = query.order_by(metric_values.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = [_record(r) for r in conn.execute(query)]
    return rows[::-1]
