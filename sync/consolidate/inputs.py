"""The reading step of a run: every source, then everything needed of the past, once.

``read_sources`` reads the department workbooks; ``load_past`` asks the store
for the previous run, the versions it keeps, the fallbacks of broken or
missing workbooks, the rows for Changes and Trend and the metric sources, in
a few queries, and returns plain values for ``sync.consolidate.compute``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import Engine

from okr.reading import Table
from sync.consolidate.compute import Fallback, Past, needs_fallback
from sync.errors import InputError
from sync.run_records import Progress
from sync.sources.base import Source, SourceRead, parse_stored
from sync.store import history as run_history
from sync.store import points
from sync.store import runs as run_store
from sync.store.details import latest_details
from sync.xlsx.reading import MAX_ROWS

#: Runs whose Notes and progress the History sheet shows (this one included).
HISTORY_RUNS = 12


def read_sources(
    sources: Sequence[Source], progress: Progress
) -> tuple[list[SourceRead], dict[str, str]]:
    """Read every source; a source that cannot be reached at all is reported by name."""
    reads: list[SourceRead] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for source in sources:
        label = f"read {source.name}"
        progress(label, 0, 0)
        try:
            found = source.read(progress=_relay(progress, label))
        except InputError as exc:
            errors[source.name] = str(exc)
            continue
        for r in found:
            if r.name in seen:  # the same file name in two sources: prefix the source
                r = replace(r, name=f"{r.source}:{r.name}")
            seen.add(r.name)
            reads.append(r)
    return reads, errors


def _relay(progress: Progress, label: str) -> Callable[[int, int], None]:
    return lambda done, total: progress(label, done, total)


def load_past(
    engine: Engine,
    reads: Sequence[SourceRead],
    source_errors: dict[str, str],
    forget: frozenset[str],
    as_of: date,
    trend_runs: int,
    *,
    max_rows: int = MAX_ROWS,
    decimal: str | None = None,
) -> Past:
    """What the store knows that this run needs, read in one pass.

    Stored versions are read back by *max_rows* and *decimal*, the workspace's
    ``[settings] max_rows`` and ``[organisation] decimal``.
    """
    prev = run_history.previous_run(engine, as_of)
    known = tuple(run_history.run_sources_of(engine, prev.id)) if prev else ()
    stored = run_store.known_versions(engine, [(r.name, r.digest) for r in reads if r.ok])
    names = needs_fallback(reads, known, source_errors, forget)
    fallback = {
        name: Fallback(v.digest, v.last_seen, _parse_stored(v.data, name, max_rows, decimal))
        for name, v in run_history.last_good(engine, names).items()
    }
    # The tables this run shows (a forgotten workbook's are not).
    tables = [r.table for r in reads if r.ok and r.name not in forget]
    tables += [f.table for f in fallback.values() if f.table]
    # IDs read now: Changes needs the previous title only of the others (gone).
    present = {i.id for t in tables for i in t.items if i.id}
    before = run_history.snapshots_by_id(engine, prev.id, present) if prev else {}
    del present
    past_runs = run_history.list_runs(engine, before=as_of, limit=max(trend_runs - 1, 0))
    objectives = run_history.objective_history(engine, [r.id for r in past_runs])
    metrics = {i.metric for t in tables for i in t.items if i.is_key_result and i.metric}
    history_runs = run_history.list_runs(engine, before=as_of, limit=HISTORY_RUNS - 1)
    prev_id = prev.id if prev else None
    per_run: dict[int, Mapping[str, tuple[str, float | None]]] = dict(
        points.key_results_per_run(engine, [r.id for r in history_runs if r.id != prev_id])
    )
    if prev:  # the previous run's rows are in hand already, for Changes
        per_run[prev.id] = run_history.KeyResultsOf(before)
    return Past(
        previous=prev,
        known=known,
        stored=frozenset(stored),
        fallback=fallback,
        before=before,
        trend_runs=tuple(past_runs),
        trend_points=objectives,
        metric_sources=_metric_sources(engine, tables),
        details=latest_details(engine),
        metric_points=points.metric_points(engine, metrics) if metrics else {},
        history_runs=tuple((r.as_of, per_run[r.id]) for r in history_runs),
    )


def _parse_stored(data: bytes, name: str, max_rows: int, decimal: str | None) -> Table | None:
    try:
        return parse_stored(data, name, max_rows=max_rows, decimal=decimal)
    except InputError:
        return None


def _metric_sources(engine: Engine, tables: Sequence[Table]) -> dict[tuple[str, str], str]:
    """(metric, period) -> the source of its latest good value, for every metric used."""
    from sync.store.metrics import latest

    wanted = {(i.metric, i.period_label) for t in tables for i in t.items if i.metric}
    out: dict[tuple[str, str], str] = {}
    for metric, period in sorted(wanted):
        record = latest(engine, metric, period, good_only=True)
        if record is not None and record.source:
            out[(metric, period)] = str(record.source)
    return out
