"""What the dashboard's pages show, read from the store: an item's page, problems, freshness."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, select

from okr.checkins import CheckIn
from okr.model import Item
from sync.errors import InputError
from sync.sources.base import parse_stored
from sync.sources.departments import code_of
from sync.store import metrics as metric_store
from sync.store import uploads as upload_store
from sync.store.details import latest_detail, latest_details
from sync.store.schema import run_nodes, runs
from sync.xlsx.reading import MAX_ROWS

#: Runs drawn in an item's history chart.
HISTORY_RUNS = 60
STALE_CODES = ("stale", "checkin")


@dataclass
class ItemPage:
    """Everything an item's page shows."""

    row: object
    item: Item | None
    metric: metric_store.MetricRecord | None
    #: (day, progress, notes) per run, oldest first
    runs: list[tuple[date, float | None, str]] = field(default_factory=list)
    #: (day, value) per good metric measurement, oldest first
    values: list[tuple[date, float]] = field(default_factory=list)
    #: the key result's dated numeric check-ins up to the run's day, oldest first
    checkins: list[CheckIn] = field(default_factory=list)
    #: days on which the notes changed: the corrective actions
    actions: list[tuple[date, str]] = field(default_factory=list)
    detail: list[dict] | None = None
    detail_total: float | None = None
    department_code: str = ""
    latest_upload: int | None = None


def _item_from_workbook(
    engine: Engine, run_id: int, workbook: str, item_id: str, max_rows: int, decimal: str | None
) -> tuple[Item | None, list[CheckIn]]:
    """The item as its workbook (the version the run used) says it, and its check-ins.

    The check-in log is a sheet of the same workbook, so the one stored
    version the page reads anyway gives both; no other workbook is opened.
    """
    from sync.service.queries import run_workbook

    data = run_workbook(engine, run_id, workbook)
    if data is None:
        return None, []
    try:
        table = parse_stored(data, workbook, max_rows=max_rows, decimal=decimal)
    except InputError:
        return None, []
    item = next((i for i in table.items if i.id == item_id), None)
    return item, [c for c in table.checkins if c.id == item_id]


def item_page(
    engine: Engine,
    run_id: int,
    row,
    as_of: date | None = None,
    *,
    max_rows: int = MAX_ROWS,
    decimal: str | None = None,
) -> ItemPage:
    """The page of the item in *row* (a ``run_nodes`` row of run *run_id*, dated *as_of*).

    The workbook version the run used is read back by *max_rows* and *decimal*
    (``[settings] max_rows``, ``[organisation] decimal``).
    """
    item, checkins = _item_from_workbook(engine, run_id, row.workbook, row.id, max_rows, decimal)
    page = ItemPage(row=row, item=item, metric=None)
    page.checkins = sorted(
        (
            c
            for c in checkins
            if c.on is not None and isinstance(c.value, float) and (as_of is None or c.on <= as_of)
        ),
        key=lambda c: (c.on, c.row),
    )
    cols = run_nodes.c
    with engine.connect() as conn:
        history = conn.execute(
            select(runs.c.as_of, cols.progress, cols.notes)
            .join(runs, runs.c.id == cols.run_id)
            .where(cols.id == row.id)
            .order_by(runs.c.as_of.desc())
            .limit(HISTORY_RUNS)
        ).all()
    seen: set[date] = set()
    for as_of, progress, notes in reversed(history):
        if as_of not in seen:  # a shared objective has one row per parent
            seen.add(as_of)
            page.runs.append((as_of, progress, notes or ""))
    last = ""
    for day, _, notes in page.runs:
        if notes and notes != last:
            page.actions.append((day, notes))
        last = notes
    if item is not None and item.metric:
        found = metric_store.history(
            engine, item.metric, item.period_label or None, good_only=True, limit=HISTORY_RUNS
        )
        page.values = [
            (r.as_of.date() if r.as_of else r.recorded_at.date(), r.value)
            for r in found
            if r.value is not None
        ]
        page.metric = found[-1] if found else None
        found_detail = latest_detail(engine, item.metric, item.period_label or None)
        if found_detail is not None and found_detail.rows:
            page.detail = [
                dict(zip(found_detail.columns, r, strict=False)) for r in found_detail.rows
            ]
            page.detail_total = found_detail.total
    page.department_code = code_of(row.workbook) if row.workbook else ""
    if page.department_code:
        page.latest_upload = upload_store.departments(engine).get(page.department_code)
    return page


def who_needs_to_update(problems: list) -> list[tuple[str, list[str]]]:
    """Owners or workbooks with stale or missing check-ins, and the IDs concerned."""
    out: dict[str, list[str]] = defaultdict(list)
    for p in problems:
        if p.code in STALE_CODES:
            out[p.workbook or "—"].append(p.item_id)
    return sorted(out.items())


def freshness(engine: Engine, stale_days: int) -> list[dict]:
    """Every metric's newest measurement with its state, oldest first (the stalest on top)."""
    from sync.service.queries import metric_json

    details = latest_details(engine)
    found = [
        metric_json(r, stale_days, details.get((r.metric, r.period)))
        for r in metric_store.latest_all(engine)
    ]
    order = {"failed": 0, "stale": 1, "ok": 2}
    return sorted(found, key=lambda m: (order.get(m["state"], 3), m["as_of"] or ""))


def age_days(when: datetime | None) -> int | None:
    """Whole days since *when*."""
    return None if when is None else (datetime.now() - when).days
