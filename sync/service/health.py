"""``GET /healthz``: is the store reachable, and how did the last run end. No token needed."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sync.errors import ServiceError
from sync.store import history as run_history
from sync.store import jobs as job_store

bp = APIBlueprint("health", __name__, tag="health")
root = APIBlueprint("health_root", __name__, enable_openapi=False)


def _health():
    """Store reachable, the last run's time and state; 503 while the store is down."""
    service = current_app.extensions["okr"]
    body: dict = {"status": "ok", "store": "reachable", "last_run": None, "last_job": None}
    try:
        engine = service.engine
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        done = run_history.list_runs(engine, limit=1)
        jobs = job_store.list_jobs(engine, limit=1)
    except (ServiceError, SQLAlchemyError):
        body.update(status="unavailable", store="unreachable")
        return body, 503
    if done:
        last = done[-1]
        body["last_run"] = {
            "id": last.id,
            "as_of": last.as_of.isoformat(),
            "finished_at": last.finished_at.isoformat(),
            "state": "failed" if last.failed else "stale" if last.stale else "ok",
            "errors": last.errors,
            "warnings": last.warnings,
        }
    if jobs:
        body["last_job"] = {
            "id": jobs[0].id,
            "state": jobs[0].state,
            "started_at": jobs[0].started_at.isoformat(),
        }
    return body


@bp.get("/healthz")
@bp.doc(responses={200: "the store answers", 503: "the store is unreachable"})
def healthz():
    """Health: store reachable, the last run's time and state."""
    return _health()


@root.get("/healthz")
def healthz_root():
    """The same health answer at the root, for load balancers."""
    return _health()
