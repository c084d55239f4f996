"""``GET /metrics`` and ``GET /metrics/<name>?period=``: the latest measurements."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app

from sync.service.auth import require
from sync.service.errors import ApiError
from sync.service.queries import metric_json
from sync.service.schemas import Metric, MetricQuery, Metrics
from sync.store import metrics as metric_store
from sync.store.details import latest_detail, latest_details

bp = APIBlueprint("metrics", __name__, tag="metrics")

# One metric comes first: its answer schema is then declared before the list nests it.


@bp.get("/metrics/<string:name>")
@require("read")
@bp.input(MetricQuery, location="query", arg_name="query")
@bp.output(Metric)
@bp.doc(security="BearerAuth")
def metric(name: str, query: dict):
    """One metric's latest measurement (for ``period``), with its detail rows when present."""
    service = current_app.extensions["okr"]
    record = metric_store.latest(service.engine, name, query["period"]) if query["period"] else None
    if not query["period"]:
        newest = metric_store.history(service.engine, name, None, limit=1)
        record = newest[0] if newest else None
    if record is None:
        when = f" for {query['period']}" if query["period"] else ""
        raise ApiError(
            404,
            f"metric {name!r} has no measurement{when}; "
            "run okr metrics refresh, or see /api/v1/metrics",
        )
    detail = latest_detail(service.engine, record.metric, record.period)
    return metric_json(record, service.ws.settings.stale_days, detail)


@bp.get("/metrics")
@require("read")
@bp.output(Metrics)
@bp.doc(security="BearerAuth")
def metrics():
    """The latest measurement of every metric and period: value, as-of, source, state."""
    service = current_app.extensions["okr"]
    stale = service.ws.settings.stale_days
    details = latest_details(service.engine)
    found = [
        metric_json(r, stale, details.get((r.metric, r.period)))
        for r in metric_store.latest_all(service.engine)
    ]
    measured = {m["name"] for m in found}
    for name in sorted(set(service.ws.metrics) - measured):
        found.append(
            {
                "name": name,
                "period": "",
                "value": None,
                "as_of": None,
                "source": "",
                "state": "never",
                "error": "",
                "recorded_at": None,
                "detail": None,
                "detail_total": None,
            }
        )
    return {"metrics": found}
