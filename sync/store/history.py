"""Reading the run history back: previous runs, their rows, trend points, kept versions.

The tables are in ``sync.store.schema`` and the writing in ``sync.store.runs``;
Trend, Changes and the stale fallback of a consolidation read through these
functions. A run still pending (killed before its workbook was in place) is
not part of the history.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import date
from sys import intern

from sqlalchemy import Engine, select, tuple_

from okr.tree import Snapshot
from sync.run_records import NodeRecord, RunInfo, SourceState, Version
from sync.store.runs import chunks
from sync.store.schema import pending_runs, run_nodes, run_sources, runs, source_versions

#: Runs whose workbook reached its place (not pending).
_DONE = runs.c.id.not_in(select(pending_runs.c.run_id))


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
            select(runs).where(runs.c.as_of < before, _DONE).order_by(runs.c.as_of.desc()).limit(1)
        ).first()
    return _info(row) if row else None


def list_runs(engine: Engine, *, before: date | None = None, limit: int = 100) -> list[RunInfo]:
    """The latest *limit* runs (dated before *before*), oldest first."""
    query = select(runs).where(_DONE).order_by(runs.c.as_of.desc()).limit(limit)
    if before is not None:
        query = query.where(runs.c.as_of < before)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [_info(r) for r in reversed(rows)]


def nodes_by_id(engine: Engine, run_id: int) -> dict[str, NodeRecord]:
    """The rows a run recorded, by ID (first row wins for a duplicate ID), in tree order."""
    cols = run_nodes.c
    names = [f.name for f in fields(NodeRecord)]
    query = select(*(cols[n] for n in names)).where(cols.run_id == run_id).order_by(cols.seq)
    out: dict[str, NodeRecord] = {}
    with engine.connect() as conn:
        for r in conn.execute(query):
            out.setdefault(r.id, NodeRecord(*r))
    return out


def snapshots_by_id(
    engine: Engine, run_id: int, present: Container[str] = ()
) -> dict[str, Snapshot]:
    """What Changes compares of the rows a run recorded, by ID (first row wins), in tree order.

    Only those columns, one small object per row: the previous run of a big
    organisation is hundreds of thousands of rows, held while the run computes.
    Rows whose ID is in *present* (read now) keep no title: Changes shows the
    previous title only of a row that is gone.
    """
    cols = run_nodes.c
    query = (
        select(cols.id, cols.kind, cols.parent, cols.title, cols.department, cols.progress,
               cols.status, cols.notes)
        .where(cols.run_id == run_id)
        .order_by(cols.seq)
    )  # fmt: skip
    out: dict[str, Snapshot] = {}
    with engine.connect() as conn:
        for r in conn.execute(query):
            if r.id not in out:
                # IDs (and parents, which are IDs) are the strings the rows read now
                # hold: interned, the previous run's copies are not kept besides.
                item_id, parent = intern(r.id), r.parent and intern(r.parent)
                department, status = intern(r.department or ""), r.status and intern(r.status)
                title = "" if item_id in present else r.title
                kind = r.kind and intern(r.kind)
                out[item_id] = Snapshot(item_id, kind, parent, title, department, r.progress,
                                        status, r.notes or "")  # fmt: skip
    return out


class KeyResultsOf(Mapping[str, tuple[str, float | None]]):
    """Key result ID -> (its Notes, its progress) in a run, read from that run's snapshots.

    What ``sync.store.points.key_results_per_run`` gives for one run, without a
    second copy of the previous run's rows beside those Changes holds.
    """

    def __init__(self, snapshots: Mapping[str, Snapshot]) -> None:
        """A view of *snapshots* (``snapshots_by_id``); nothing is copied."""
        self._snapshots = snapshots

    def __getitem__(self, key: str) -> tuple[str, float | None]:
        s = self._snapshots[key]
        if s.kind != "key result":
            raise KeyError(key)
        return s.notes, s.progress

    def __iter__(self) -> Iterator[str]:
        return (k for k, s in self._snapshots.items() if s.kind == "key result")

    def __len__(self) -> int:
        return sum(1 for _ in self)


def run_sources_of(engine: Engine, run_id: int) -> list[SourceState]:
    """The workbooks a run read, in name order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(run_sources).where(run_sources.c.run_id == run_id).order_by(run_sources.c.name)
        ).all()
    return [
        SourceState(r.name, r.source, r.state, r.digest, r.used, r.since, r.error) for r in rows
    ]


def objective_history(
    engine: Engine, run_ids: Sequence[int]
) -> dict[int, dict[str, tuple[float | None, str]]]:
    """For each run in *run_ids*: objective ID -> its (progress, actions text).

    Only these two columns: the Trend sheet needs no more, and a year of
    nights of a big organisation is many rows.
    """
    out: dict[int, dict[str, tuple[float | None, str]]] = {r: {} for r in run_ids}
    if not run_ids:
        return out
    cols = run_nodes.c
    query = (
        select(cols.run_id, cols.id, cols.progress, cols.actions)
        .where(cols.run_id.in_(list(run_ids)), cols.kind == "objective")
        .order_by(cols.run_id, cols.seq)
    )
    with engine.connect() as conn:
        for r in conn.execute(query):
            out[r.run_id].setdefault(intern(r.id), (r.progress, r.actions))
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
