"""Points over time for the History sheet: metric values and key-result notes per run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from sys import intern

from sqlalchemy import Engine, select

from sync.store.runs import chunks
from sync.store.schema import metric_values, run_nodes


def metric_points(
    engine: Engine, metrics: Iterable[str], *, since: datetime | None = None
) -> dict[str, list[tuple[date, float]]]:
    """Good values of each metric in *metrics*, oldest first, as (as-of day, value).

    One query per 400 names, so the sheet costs a handful of queries.
    """
    names = sorted(set(metrics))
    out: dict[str, list[tuple[date, float]]] = defaultdict(list)
    mv = metric_values.c
    with engine.connect() as conn:
        for chunk in chunks(names, 400):
            query = select(mv.metric, mv.as_of, mv.value).where(
                mv.metric.in_(chunk), mv.value.is_not(None), mv.error == ""
            )
            if since is not None:
                query = query.where(mv.as_of >= since)
            for r in conn.execute(query.order_by(mv.id)):
                if r.as_of is not None:
                    out[r.metric].append((r.as_of.date(), float(r.value)))
    return dict(out)


def key_results_per_run(
    engine: Engine, run_ids: Sequence[int]
) -> dict[int, dict[str, tuple[str, float | None]]]:
    """For each run in *run_ids*: key result ID -> (its Notes, its progress) in that run."""
    out: dict[int, dict[str, tuple[str, float | None]]] = {r: {} for r in run_ids}
    if not run_ids:
        return out
    cols = run_nodes.c
    query = select(cols.run_id, cols.id, cols.notes, cols.progress).where(
        cols.run_id.in_(list(run_ids)), cols.kind == "key result"
    )
    with engine.connect() as conn:
        for r in conn.execute(query.order_by(cols.run_id, cols.seq)):
            # Interned: the ID strings the rows read now hold, once for every run.
            out[r.run_id].setdefault(intern(r.id), (r.notes or "", r.progress))
    return out
