"""Consolidation runs in the store: what was read, what was found, the progress of every row.

Tables (defined in ``sync.store.schema``):

- ``runs``: one row per run date (``as_of``), with start, end and counts;
- ``run_sources``: each workbook of the run, its content hash and state
  (``fresh`` read now, ``stale`` shown from its last good version, ``failed``
  unreadable with no good version to fall back to) and the error;
- ``source_versions``: every distinct good version of every workbook, bytes
  and all, keyed by name and SHA-256, so nothing a department sent is lost
  and a broken upload falls back to the last good one;
- ``run_nodes``: every row's progress, status, parent and notes, in tree order;
- ``run_problems``: every problem of the run;
- ``pending_runs``: runs recorded whose workbook is not renamed into place yet.

A workbook renamed since the previous run has its past filed under the new
name in the same transaction (``sync.store.renames``).

A run is written by ``record_run`` in one transaction, marked pending with the
temporary workbook it wrote; ``finish_run`` clears the mark once the workbook
is in place. A run killed in between is finished or taken back by the next one
(``sync.consolidate.run``), so the store and the workbook always agree.
Re-running a date replaces that date's run: the history has one point per
night and a run is idempotent. Reading the history back is ``sync.store.history``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    delete,
    select,
    tuple_,
    update,
)

from okr.problems import ERROR
from sync.run_records import FAILED, STALE, Blob, RunRecord
from sync.store.bulk import insert_rows
from sync.store.renames import carry_over
from sync.store.schema import (
    pending_runs,
    run_nodes,
    run_problems,
    run_sources,
    runs,
    source_versions,
)


@dataclass(frozen=True)
class Pending:
    """A recorded run whose workbook *temp* still has to be renamed over *output*."""

    run_id: int
    as_of: date
    output: str
    temp: str
    stamp: str


def record_run(
    engine: Engine,
    run: RunRecord,
    *,
    pending: tuple[str, str, str] | None = None,
    before_commit: Callable[[], None] | None = None,
) -> int:
    """Write *run* in one transaction, replacing any earlier run of the same date; its id.

    *pending* ``(output, temp, stamp)`` marks the run pending until
    ``finish_run``. *before_commit* is called inside the transaction, just
    before it commits (the kill-safety tests stop the process there).
    """
    with engine.begin() as conn:
        old = conn.execute(select(runs.c.id).where(runs.c.as_of == run.as_of)).scalars().all()
        if old:
            for table in (pending_runs, run_nodes, run_problems, run_sources, runs):
                key = table.c.id if table is runs else table.c.run_id
                conn.execute(delete(table).where(key.in_(old)))
        errors = sum(p.severity == ERROR for p in run.problems)
        run_id = conn.execute(
            runs.insert().returning(runs.c.id),
            {
                "as_of": run.as_of,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "organisation": run.organisation,
                "output": run.output,
                "workbooks": len(run.sources),
                "stale": sum(s.state == STALE for s in run.sources),
                "failed": sum(s.state == FAILED for s in run.sources),
                "errors": errors,
                "warnings": len(run.problems) - errors,
                "rows": 0,  # counted below, as the nodes are written
            },
        ).scalar_one()
        # Before the versions: one kept under the old name counts as kept under the new.
        for old, new in run.renames:
            carry_over(conn, old, new)
        _save_versions(conn, run.versions, run.as_of)
        if run.sources:
            conn.execute(
                run_sources.insert(),
                [
                    {
                        "run_id": run_id,
                        "name": s.name,
                        "source": s.source,
                        "state": s.state,
                        "digest": s.digest,
                        "used": s.used,
                        "since": s.since,
                        "error": s.error,
                    }
                    for s in run.sources
                ],
            )
        # Made as they are stored, a slice at a time (``insert_rows``).
        rows = insert_rows(
            conn, run_nodes, ((run_id, seq, *_node(n)) for seq, n in enumerate(run.nodes))
        )
        conn.execute(update(runs).where(runs.c.id == run_id).values(rows=rows))
        insert_rows(
            conn, run_problems, ((run_id, seq, *_problem(p)) for seq, p in enumerate(run.problems))
        )
        if pending is not None:
            output, temp, stamp = pending
            conn.execute(
                pending_runs.insert(),
                {"run_id": run_id, "output": output, "temp": temp, "stamp": stamp},
            )
        if before_commit is not None:
            before_commit()
    return int(run_id)


#: A ``NodeRecord``'s values for the columns of ``run_nodes`` after run_id and seq.
_node = attrgetter(*[c.name for c in run_nodes.columns][2:])
#: A ``Problem``'s values for the columns of ``run_problems`` after run_id and seq.
_problem = attrgetter(*[{"item_id": "id"}.get(c.name, c.name) for c in run_problems.columns][2:])


def finish_run(engine: Engine, run_id: int) -> None:
    """The workbook of run *run_id* is in place: the run is no longer pending."""
    with engine.begin() as conn:
        conn.execute(delete(pending_runs).where(pending_runs.c.run_id == run_id))


def drop_run(engine: Engine, run_id: int) -> None:
    """Take back run *run_id* (its workbook never reached its place)."""
    with engine.begin() as conn:
        for table in (pending_runs, run_nodes, run_problems, run_sources):
            conn.execute(delete(table).where(table.c.run_id == run_id))
        conn.execute(delete(runs).where(runs.c.id == run_id))


def latest_run_id(engine: Engine) -> int | None:
    """The id of the run recorded last (pending or not), or None."""
    with engine.connect() as conn:
        return conn.execute(select(runs.c.id).order_by(runs.c.id.desc()).limit(1)).scalar()


def pending(engine: Engine) -> list[Pending]:
    """Runs recorded whose workbook was not renamed into place (a run was killed)."""
    query = select(pending_runs, runs.c.as_of).join(runs, runs.c.id == pending_runs.c.run_id)
    with engine.connect() as conn:
        return [
            Pending(r.run_id, r.as_of, r.output, r.temp, r.stamp)
            for r in conn.execute(query.order_by(runs.c.as_of))
        ]


def known_versions(conn_or_engine, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (name, digest) pairs in *keys* the store already keeps."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return set()
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            return known_versions(conn, keys)
    sv = source_versions.c
    have: set[tuple[str, str]] = set()
    for chunk in chunks(keys, 400):
        rows = conn_or_engine.execute(
            select(sv.name, sv.digest).where(tuple_(sv.name, sv.digest).in_(chunk))
        )
        have.update((r.name, r.digest) for r in rows)
    return have


def _save_versions(conn, versions: Sequence[tuple[str, str, Blob]], on: date) -> None:
    """Insert new versions, and mark the ones already kept as seen on *on*.

    A version may come without its bytes (None) when the caller already knew
    the store keeps it, or with a function reading them: they are read and
    inserted a few at a time, so a run never holds every workbook's bytes. A
    file that changed since it was read (its hash differs) is left for the
    next run to keep.
    """
    if not versions:
        return
    have = known_versions(conn, [(name, digest) for name, digest, _ in versions])
    new: dict[tuple[str, str], Blob] = {}
    for name, digest, data in versions:
        if (name, digest) not in have and data is not None:
            new.setdefault((name, digest), data)
    for batch in chunks(list(new.items()), 8):
        rows = []
        for (name, digest), blob in batch:
            data = blob() if callable(blob) else blob
            if data is None or (blob is not data and hashlib.sha256(data).hexdigest() != digest):
                continue
            rows.append({"name": name, "digest": digest, "data": data, "size": len(data),
                         "first_seen": on, "last_seen": on})  # fmt: skip
        if rows:
            conn.execute(source_versions.insert(), rows)
    seen = [{"n": name, "d": digest, "on": on} for name, digest in have]
    if seen:
        conn.execute(
            update(source_versions)
            .where(
                and_(
                    source_versions.c.name == bindparam("n"),
                    source_versions.c.digest == bindparam("d"),
                    source_versions.c.last_seen < bindparam("on"),
                )
            )
            .values(last_seen=bindparam("on")),
            seen,
        )


def chunks(values: Sequence, size: int) -> Iterable[Sequence]:
    """*values* in slices of at most *size* (for IN lists the databases accept)."""
    for i in range(0, len(values), size):
        yield values[i : i + size]
