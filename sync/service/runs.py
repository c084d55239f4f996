"""Runs: ``POST /runs`` (admin) starts a consolidation; ``GET /runs``, ``GET /runs/<id>``;
``GET /company.xlsx``, the latest company workbook."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app, send_file

from sync.service.auth import authenticate, require
from sync.service.errors import ApiError
from sync.service.jobs import start_run
from sync.service.schemas import Job, Jobs
from sync.store import jobs as job_store

bp = APIBlueprint("runs", __name__, tag="runs")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.post("/runs")
@require("admin")
@bp.output(Job, status_code=202)
@bp.doc(security="BearerAuth", responses={409: "another run holds the lock"})
def start():
    """Start a consolidation in a child process (admin); 409 while another run holds the lock."""
    service = current_app.extensions["okr"]
    job = start_run(service, "api", authenticate().name)
    return job.as_dict(), 202


@bp.get("/runs")
@require("read")
@bp.output(Jobs)
@bp.doc(security="BearerAuth")
def runs():
    """The runs the service started, newest first."""
    found = job_store.list_jobs(current_app.extensions["okr"].engine)
    return {"runs": [j.as_dict() for j in found]}


@bp.get("/runs/<int(max=2147483647):run_id>")
@require("read")
@bp.output(Job)
@bp.doc(security="BearerAuth")
def run(run_id: int):
    """One run: state, timings and its summary."""
    job = job_store.get_job(current_app.extensions["okr"].engine, run_id)
    if job is None:
        raise ApiError(404, f"no run {run_id}; see /api/v1/runs")
    return job.as_dict()


@bp.get("/company.xlsx")
@require("read")
@bp.doc(
    security="BearerAuth",
    responses={
        200: {
            "description": "the company workbook",
            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def company():
    """The latest company workbook."""
    out = current_app.extensions["okr"].ws.output
    if not out.is_file():
        raise ApiError(404, "no company workbook yet: start a run (POST /api/v1/runs)")
    return send_file(
        out.resolve(), mimetype=XLSX_TYPE, as_attachment=True, download_name=out.name, max_age=0
    )
