"""A renamed workbook's past, filed under its new name.

When a run finds that a workbook came back under a new name
(``sync.consolidate.renames``), recording the run moves what the store keeps
by workbook name to the new one, in the run's transaction: the kept versions
(``source_versions``; one kept under both names becomes one row), and the
workbook's entries in earlier runs (``run_sources``, and the ``workbook`` of
their rows and problems), so its last good version, the page of each of its
rows and a ``department:CODE`` scope follow the department. A run that read
both names keeps them apart. Rows are joined across runs by ID, so Trend,
Changes and History need nothing moved.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, select, update

from sync.store.schema import run_nodes, run_problems, run_sources, source_versions


def carry_over(conn: Connection, old: str, new: str) -> None:
    """File everything the store keeps under workbook *old* under *new* (inside a transaction)."""
    sv = source_versions.c
    kept = {
        n: set(conn.execute(select(sv.digest).where(sv.name == n)).scalars()) for n in (old, new)
    }
    for digest in sorted(kept[old] & kept[new]):
        first, last = conn.execute(
            select(func.min(sv.first_seen), func.max(sv.last_seen)).where(
                sv.digest == digest, sv.name.in_((old, new))
            )
        ).one()
        conn.execute(
            update(source_versions)
            .where(sv.name == new, sv.digest == digest)
            .values(first_seen=first, last_seen=last)
        )
        conn.execute(delete(source_versions).where(sv.name == old, sv.digest == digest))
    conn.execute(update(source_versions).where(sv.name == old).values(name=new))
    rs = run_sources.c
    # Runs that read both names keep them apart. Rows and problems first: the
    # runs to move are found through run_sources, which moves last.
    moved = select(rs.run_id).where(
        rs.name == old, rs.run_id.not_in(select(rs.run_id).where(rs.name == new))
    )
    for table in (run_nodes, run_problems):
        conn.execute(
            update(table)
            .where(table.c.workbook == old, table.c.run_id.in_(moved.scalar_subquery()))
            .values(workbook=new)
        )
    conn.execute(
        update(run_sources)
        .where(rs.name == old, rs.run_id.in_(moved.scalar_subquery()))
        .values(name=new)
    )
