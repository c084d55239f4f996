"""Consolidation runs in the store: what was read, what was found, the progress of every row.

Tables (on the shared ``sync.store.metadata``):

- ``runs``: one row per run date (``as_of``), with start, end and counts;
- ``run_sources``: each workbook of the run, its content hash and state
  (``fresh`` read now, ``stale`` shown from its last good version, ``failed``
  unreadable with no good version to fall back to) and the error;
- ``source_versions``: every distinct good version of every workbook, bytes
  and all, keyed by name and SHA-256, so nothing a department sent is lost
  and a broken upload falls back to the last good one;
- ``run_nodes``: every row's progress, status, parent and notes, in tree order;
- ``run_problems``: every problem of the run.

A run is written by ``record_run`` in one transaction at the very end, so a
killed run leaves nothing half-written. Re-running a date replaces that
date's run: the history has one point per night and a run is idempotent.
Reading the history back is ``sync.run_history``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

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
from sync.run_records import FAILED, STALE, RunRecord
from sync.store.schema import run_nodes, run_problems, run_sources, runs, source_versions


def record_run(
    engine: Engine, run: RunRecord, *, before_commit: Callable[[], None] | None = None
) -> int:
    """Write *run* in one transaction, replacing any earlier run of the same date; its id.

    *before_commit* is called inside the transaction, just before it commits
    (the kill-safety tests stop the process there).
    """
    with engine.begin() as conn:
        old = conn.execute(select(runs.c.id).where(runs.c.as_of == run.as_of)).scalars().all()
        if old:
            for table in (run_nodes, run_problems, run_sources, runs):
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
                "rows": len(run.nodes),
            },
        ).scalar_one()
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
        if run.nodes:
            conn.execute(
                run_nodes.insert(),
                [{"run_id": run_id, "seq": i, **vars(n)} for i, n in enumerate(run.nodes)],
            )
        if run.problems:
            conn.execute(
                run_problems.insert(),
                [
                    {
                        "run_id": run_id,
                        "seq": i,
                        "code": p.code,
                        "severity": p.severity,
                        "item_id": p.id,
                        "workbook": p.workbook,
                        "sheet": p.sheet,
                        "cell": p.cell,
                        "message": p.message,
                    }
                    for i, p in enumerate(run.problems)
                ],
            )
        if before_commit is not None:
            before_commit()
    return int(run_id)


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


def _save_versions(conn, versions: Sequence[tuple[str, str, bytes | None]], on: date) -> None:
    """Insert new versions, and mark the ones already kept as seen on *on*.

    A version may come without its bytes (None) when the caller already knew
    the store keeps it.
    """
    if not versions:
        return
    have = known_versions(conn, [(name, digest) for name, digest, _ in versions])
    new: dict[tuple[str, str], bytes] = {}
    for name, digest, data in versions:
        if (name, digest) not in have and data is not None:
            new.setdefault((name, digest), data)
    if new:
        conn.execute(
            source_versions.insert(),
            [
                {
                    "name": name,
                    "digest": digest,
                    "data": data,
                    "size": len(data),
                    "first_seen": on,
                    "last_seen": on,
                }
                for (name, digest), data in new.items()
            ],
        )
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
