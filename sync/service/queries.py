"""What the API and the dashboard read about the last run: tree levels, problems, metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from sync.run_records import RunInfo
from sync.service.auth import Principal
from sync.sources.departments import code_of
from sync.store import history as run_history
from sync.store import metrics as metric_store
from sync.store.schema import run_nodes, run_problems, run_sources, source_versions

UNALIGNED = "Unaligned"


def last_run(engine: Engine) -> RunInfo | None:
    """The latest recorded run, or None."""
    found = run_history.list_runs(engine, limit=1)
    return found[-1] if found else None


@dataclass(frozen=True)
class Scope:
    """Which part of the tree a caller sees: everything, or its departments' workbooks."""

    codes: tuple[str, ...] | None = None

    @classmethod
    def of(cls, who: Principal, transparency: bool) -> Scope:
        """Everything when *who* may read the company view, else its departments."""
        if who.may_read_company(transparency):
            return cls(None)
        return cls(who.departments)

    def allows(self, workbook: str) -> bool:
        """May see a row of *workbook*."""
        return self.codes is None or code_of(workbook) in self.codes


def _node(row, children: int, problems: int) -> dict:
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "department": row.department,
        "workbook": row.workbook,
        "parent": row.parent,
        "progress": row.progress,
        "status": row.status,
        "problems": problems,
        "shared": bool(row.parent and ";" in row.parent),
        "children": children,
        "nodes": [],
    }


def tree_level(engine: Engine, run_id: int, root: str | None, depth: int, scope: Scope) -> list:
    """The rows under *root* (the top when None), *depth* levels deep, as nested dicts."""
    cols = run_nodes.c
    with engine.connect() as conn:
        query = select(run_nodes).where(cols.run_id == run_id).order_by(cols.seq)
        if root is None and scope.codes is None:
            rows = conn.execute(query.where(cols.up.is_(None))).all()
            if conn.execute(query.where(cols.up == UNALIGNED).limit(1)).first():
                rows.append(_unaligned())
        elif root is None:
            # A department sees its own rows whose row above belongs to another workbook.
            mine = [r for r in conn.execute(query) if scope.allows(r.workbook)]
            ids = {r.id for r in mine}
            rows = [r for r in mine if r.up not in ids]
        else:
            rows = [
                r for r in conn.execute(query.where(cols.up == root)) if scope.allows(r.workbook)
            ]
        ids = [r.id for r in rows]
        kids = (
            dict(
                conn.execute(
                    select(cols.up, func.count())
                    .where(cols.run_id == run_id, cols.up.in_(ids))
                    .group_by(cols.up)
                ).all()
            )
            if ids
            else {}
        )
        counts = (
            dict(
                conn.execute(
                    select(run_problems.c.item_id, func.count())
                    .where(run_problems.c.run_id == run_id, run_problems.c.item_id.in_(ids))
                    .group_by(run_problems.c.item_id)
                ).all()
            )
            if ids
            else {}
        )
    out = [_node(r, kids.get(r.id, 0), counts.get(r.id, 0)) for r in rows]
    if depth > 1:
        for node in out:
            if node["children"]:
                node["nodes"] = tree_level(engine, run_id, node["id"], depth - 1, scope)
    return out


class _Row:
    id = UNALIGNED
    kind = None
    title = "Aligned to nothing known"
    department = ""
    workbook = ""
    parent = None
    progress = None
    status = None


def _unaligned() -> _Row:
    return _Row()


def node_row(engine: Engine, run_id: int, item_id: str):
    """The first row of *item_id* in run *run_id*, or None."""
    cols = run_nodes.c
    with engine.connect() as conn:
        return conn.execute(
            select(run_nodes).where(cols.run_id == run_id, cols.id == item_id).order_by(cols.seq)
        ).first()


def department_names(engine: Engine, run_id: int) -> dict[str, str]:
    """Workbook -> the department name its rows in run *run_id* show (the most common)."""
    cols = run_nodes.c
    count = func.count().label("n")
    query = (
        select(cols.workbook, cols.department, count)
        .where(cols.run_id == run_id, cols.department != "")
        .group_by(cols.workbook, cols.department)
        .order_by(cols.workbook, count.desc(), cols.department)
    )
    names: dict[str, str] = {}
    with engine.connect() as conn:
        for workbook, department, _ in conn.execute(query):
            names.setdefault(workbook, department)
    return names


def problems_of(engine: Engine, run_id: int) -> list:
    """Every problem of run *run_id*, in the run's order."""
    with engine.connect() as conn:
        return conn.execute(
            select(run_problems).where(run_problems.c.run_id == run_id).order_by(run_problems.c.seq)
        ).all()


def metric_state(record: metric_store.MetricRecord, stale_days: int, now: datetime) -> str:
    """``ok``, ``stale`` (older than the setting) or ``failed``."""
    if not record.ok:
        return "failed"
    if record.as_of and (now - record.as_of).days > stale_days:
        return "stale"
    return "ok"


def metric_json(record: metric_store.MetricRecord, stale_days: int, found=None) -> dict:
    """A measurement as the API answers it, with the detail rows *found* (a ``Detail``)."""
    detail = [dict(zip(found.columns, r, strict=False)) for r in found.rows] if found else None
    return {
        "name": record.metric,
        "period": record.period,
        "value": record.value,
        "as_of": record.as_of.isoformat() if record.as_of else None,
        "source": record.source,
        "state": metric_state(record, stale_days, datetime.now()),
        "error": record.error,
        "recorded_at": record.recorded_at.isoformat() if record.recorded_at else None,
        "detail": list(detail) if detail else None,
        "detail_total": found.total if found else None,
    }


def run_workbook(engine: Engine, run_id: int, name: str) -> bytes | None:
    """The bytes of workbook *name* as run *run_id* used it (fresh or its last good version)."""
    with engine.connect() as conn:
        used = conn.execute(
            select(run_sources.c.used).where(
                run_sources.c.run_id == run_id, run_sources.c.name == name
            )
        ).scalar()
        if not used:
            return None
        data = conn.execute(
            select(source_versions.c.data).where(
                source_versions.c.name == name, source_versions.c.digest == used
            )
        ).scalar()
    return bytes(data) if data is not None else None
