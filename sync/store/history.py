"""Reading the run history back: previous runs, their rows, trend points, kept versions.

The tables and the writing live in ``sync.run_store``; Trend, Changes and the
stale fallback of ``sync.consolidate`` read through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select, tuple_

from okr.tree import Snapshot
from sync.run_records import RunInfo, SourceState, Version
from sync.store.runs import chunks
from sync.store.schema import run_nodes, run_sources, runs, source_versions


def _info(row) -> RunInfo:
    return RunInfo(
        row.id,
        row.as_of,
        row.started_at,
        row.finished_at,
        row.output,
        row.workbooks,
        row.stale,
        row.failed,
        row.errors,
        row.warnings,
    )


def previous_run(engine: Engine, before: date) -> RunInfo | None:
    """The latest run dated before *before*, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(runs).where(runs.c.as_of < before).order_by(runs.c.as_of.desc()).limit(1)
        ).first()
    return _info(row) if row else None


def last_output_date(engine: Engine, output: str) -> date | None:
    """The date of the run that last wrote the workbook at *output*, or None."""
    with engine.connect() as conn:
        return conn.execute(
            select(runs.c.as_of)
            .where(runs.c.output == output)
            .order_by(runs.c.finished_at.desc())
            .limit(1)
        ).scalar()


def list_runs(engine: Engine, *, before: date | None = None, limit: int = 100) -> list[RunInfo]:
    """The latest *limit* runs (dated before *before*), oldest first."""
    query = select(runs).order_by(runs.c.as_of.desc()).limit(limit)
    if before is not None:
        query = query.where(runs.c.as_of < before)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [_info(r) for r in reversed(rows)]


def snapshots(engine: Engine, run_id: int) -> dict[str, Snapshot]:
    """The rows a run recorded, by ID (first row wins for a duplicate ID), in tree order."""
    cols = run_nodes.c
    query = (
        select(cols.id, cols.kind, cols.parent, cols.title, cols.department)
        .add_columns(cols.progress, cols.status, cols.notes)
        .where(cols.run_id == run_id)
        .order_by(cols.seq)
    )
    out: dict[str, Snapshot] = {}
    with engine.connect() as conn:
        for r in conn.execute(query):
            out.setdefault(r.id, Snapshot(*r))
    return out


def run_sources_of(engine: Engine, run_id: int) -> list[SourceState]:
    """The workbooks a run read, in name order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(run_sources).where(run_sources.c.run_id == run_id).order_by(run_sources.c.name)
        ).all()
    return [
        SourceState(r.name, r.source, r.state, r.digest, r.used, r.since, r.error) for r in rows
    ]


@dataclass(frozen=True)
class TrendPoint:
    """An objective's progress in one past run."""

    progress: float | None
    status: str | None
    actions: str


def objective_history(engine: Engine, run_ids: Sequence[int]) -> dict[int, dict[str, TrendPoint]]:
    """For each run in *run_ids*: objective ID -> its progress, status and actions text."""
    out: dict[int, dict[str, TrendPoint]] = {r: {} for r in run_ids}
    if not run_ids:
        return out
    cols = run_nodes.c
    query = (
        select(cols.run_id, cols.id, cols.progress, cols.status, cols.actions)
        .where(cols.run_id.in_(list(run_ids)), cols.kind == "objective")
        .order_by(cols.run_id, cols.seq)
    )
    with engine.connect() as conn:
        for r in conn.execute(query):
            out[r.run_id].setdefault(r.id, TrendPoint(r.progress, r.status, r.actions))
    return out


def last_good(engine: Engine, names: Iterable[str]) -> dict[str, Version]:
    """The most recently read good version of each workbook in *names* that has one."""
    names = list(dict.fromkeys(names))
    out: dict[str, Version] = {}
    if not names:
        return out
    sv = source_versions.c
    best: dict[str, tuple[str, date, date]] = {}
    with engine.connect() as conn:
        for chunk in chunks(names, 400):
            rows = conn.execute(
                select(sv.name, sv.digest, sv.first_seen, sv.last_seen)
                .where(sv.name.in_(chunk))
                .order_by(sv.name, sv.last_seen.desc(), sv.first_seen.desc(), sv.digest)
            )
            for r in rows:
                best.setdefault(r.name, (r.digest, r.first_seen, r.last_seen))
        pairs = [(name, b[0]) for name, b in best.items()]
        for chunk in chunks(pairs, 400):
            rows = conn.execute(
                select(sv.name, sv.data).where(tuple_(sv.name, sv.digest).in_(chunk))
            )
            for r in rows:
                digest, first, last = best[r.name]
                out[r.name] = Version(r.name, digest, bytes(r.data), first, last)
    return out


def version_count(engine: Engine) -> int:
    """How many workbook versions the store keeps."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(source_versions)).scalar_one())
