"""Metric details in the store: the kept rows behind each value, by capture.

Table ``metric_details`` (``sync.store.schema``): the rows are JSON text, so
SQLite and PostgreSQL store them the same way; the latest capture of a
(metric, period) is what the company workbook's Data sheet shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from sync.errors import ServiceError
from sync.metrics.detail import Detail
from sync.store.schema import metric_details


def encode_rows(detail: Detail) -> str:
    """The JSON text the store keeps for *detail*'s rows.

    A refresh encodes each detail as it comes, while other metrics are still
    being measured, and hands the texts to ``record_details``.
    """
    return json.dumps(detail.rows, default=str, separators=(",", ":"))


def record_details(
    engine: Engine,
    details: Iterable[Detail],
    *,
    recorded_at: datetime | None = None,
    encoded: Mapping[tuple[str, str], str] | None = None,
) -> int:
    """Store *details* in one transaction; the number written. ``ServiceError`` on failure.

    *encoded* holds rows already encoded (``encode_rows``) by (metric, period).
    """
    when = recorded_at or datetime.now().replace(microsecond=0)
    ready = encoded or {}
    rows = [
        {
            "metric": d.metric,
            "period": d.period,
            "value": d.value,
            "as_of": d.as_of,
            "source": d.source,
            "columns": json.dumps(list(d.columns), ensure_ascii=False),
            "rows": ready.get((d.metric, d.period)) or encode_rows(d),
            "row_count": d.row_count,
            "total": d.total,
            "total_column": d.total_column,
            "status": d.status,
            "error": d.error,
            "window_start": d.window[0] if d.window else None,
            "window_end": d.window[1] if d.window else None,
            "recorded_at": when,
        }
        for d in details
    ]
    if not rows:
        return 0
    try:
        with engine.begin() as conn:
            conn.execute(insert(metric_details), rows)
    except SQLAlchemyError as exc:
        reason = exc.__class__.__name__
        raise ServiceError(f"the store could not record metric details: {reason}") from None
    return len(rows)


def _detail(r) -> Detail:
    window = (r.window_start, r.window_end) if r.window_start and r.window_end else None
    return Detail(
        r.metric,
        r.period,
        tuple(json.loads(r.columns)),
        tuple(tuple(row) for row in json.loads(r.rows)),
        r.row_count,
        r.total,
        r.total_column,
        r.status,
        r.error,
        r.value,
        r.as_of,
        r.source,
        window,
    )


def latest_details(engine: Engine) -> dict[tuple[str, str], Detail]:
    """The newest capture of every (metric, period)."""
    md = metric_details.c
    newest = select(func.max(md.id).label("id")).group_by(md.metric, md.period).subquery()
    query = select(metric_details).join(newest, md.id == newest.c.id)
    with engine.connect() as conn:
        return {(r.metric, r.period): _detail(r) for r in conn.execute(query)}


def latest_detail(engine: Engine, metric: str, period: str | None = None) -> Detail | None:
    """The newest capture of *metric* (for *period* when given), or None."""
    md = metric_details.c
    query = select(metric_details).where(md.metric == metric)
    if period is not None:
        query = query.where(md.period == period)
    with engine.connect() as conn:
        row = conn.execute(query.order_by(md.id.desc()).limit(1)).first()
    return _detail(row) if row is not None else None
