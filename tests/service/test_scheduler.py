"""The nightly run inside the service, and its interplay with the CLI's lock."""

from __future__ import annotations

import pytest

from sync.config import load_config
from sync.errors import ConfigError
from sync.service import create_app
from sync.service.scheduler import nightly_run, start_scheduler
from sync.store import jobs as job_store
from sync.store.lock import run_lock
from tests.service.test_runs import wait_for


def _app(workspace, schedule: str):
    workspace.write_text(workspace.read_text() + f'[schedule]\nnightly = "{schedule}"\n')
    return create_app(load_config(workspace), {"TESTING": True})


def test_the_nightly_job_is_scheduled_at_the_configured_time(workspace):
    scheduler = start_scheduler(_app(workspace, "02:30"), start=False)
    job = scheduler.get_job("okr-nightly")
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert fields["hour"] == "2" and fields["minute"] == "30"


def test_no_schedule_no_scheduler(app):
    assert start_scheduler(app, start=False) is None


@pytest.mark.parametrize("value", ["2:75", "noon", "25:00"])
def test_a_bad_time_is_refused(workspace, value):
    with pytest.raises(ConfigError, match="nightly"):
        _app(workspace, value)


def test_the_nightly_run_runs_like_post_runs(workspace, tokens):
    app = _app(workspace, "02:30")
    job_id = nightly_run(app)
    assert job_id is not None
    job = wait_for(app.test_client(), tokens["admin"], job_id)
    assert job["state"] == "succeeded" and job["trigger"] == "schedule"


def test_the_nightly_run_and_a_cli_run_never_overlap(workspace):
    app = _app(workspace, "02:30")
    ws = app.extensions["okr"].ws
    with run_lock(ws.store_url):
        assert nightly_run(app) is None
    jobs = job_store.list_jobs(app.extensions["okr"].engine)
    assert jobs[0].state == "failed" and "lock" in jobs[0].error
