"""Runs from the service: a child process, the CLI's lock, SIGKILL, the company workbook."""

from __future__ import annotations

import time

import pytest

from sync.config import load_config
from sync.store.lock import run_lock
from tests.service.conftest import bearer


def wait_for(client, token, job_id, timeout=120.0):
    """The job once it has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/runs/{job_id}", headers=bearer(token)).json
        if job["state"] != "running":
            return job
        time.sleep(0.2)
    raise AssertionError(f"run {job_id} still running after {timeout} s")


def test_an_admin_starts_a_run_and_downloads_the_company_workbook(client, tokens):
    assert client.get("/api/v1/company.xlsx", headers=bearer(tokens["reader"])).status_code == 404
    answer = client.post("/api/v1/runs", headers=bearer(tokens["admin"]))
    assert answer.status_code == 202 and answer.json["state"] == "running"
    job = wait_for(client, tokens["reader"], answer.json["id"])
    assert job["state"] == "succeeded", job
    assert job["summary"]["rows"] > 0 and job["run_id"] and job["seconds"] > 0
    book = client.get("/api/v1/company.xlsx", headers=bearer(tokens["sales"]))
    assert book.status_code == 200 and book.data[:2] == b"PK"
    listing = client.get("/api/v1/runs", headers=bearer(tokens["reader"])).json["runs"]
    assert [r["id"] for r in listing] == [job["id"]]
    health = client.get("/healthz").json
    assert health["last_run"]["as_of"] and health["last_job"]["state"] == "succeeded"


@pytest.mark.parametrize("who", ["reader", "sales"])
def test_only_admin_starts_runs(client, tokens, who):
    assert client.post("/api/v1/runs", headers=bearer(tokens[who])).status_code == 403
    assert client.post("/api/v1/runs").status_code == 401
    assert client.post("/api/v1/runs", headers=bearer(tokens["revoked"])).status_code == 401


def test_a_run_while_the_cli_holds_the_lock_is_409(client, tokens, app):
    ws = app.extensions["okr"].ws
    with run_lock(ws.store_url):
        answer = client.post("/api/v1/runs", headers=bearer(tokens["admin"]))
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "locked"
    assert "lock" in answer.json["error"]["message"]


def test_a_run_killed_by_sigkill_is_failed_and_the_previous_workbook_stays(
    client, tokens, app, monkeypatch
):
    first = client.post("/api/v1/runs", headers=bearer(tokens["admin"])).json
    assert wait_for(client, tokens["admin"], first["id"])["state"] == "succeeded"
    out = load_config(app.extensions["okr"].ws.path).output
    before = out.read_bytes()
    monkeypatch.setenv("OKR_TEST_KILL_AT", "written")
    second = client.post("/api/v1/runs", headers=bearer(tokens["admin"])).json
    job = wait_for(client, tokens["admin"], second["id"])
    assert job["state"] == "failed" and "SIGKILL" in job["error"]
    assert job["exit_code"] == -9
    assert out.read_bytes() == before


def test_transparency_off_keeps_departments_to_their_own(tmp_path, tokens, workspace):
    from sync.service import create_app

    workspace.write_text(workspace.read_text() + "[service]\ntransparency = false\n")
    client = create_app(load_config(workspace), {"TESTING": True}).test_client()
    assert client.get("/api/v1/runs", headers=bearer(tokens["sales"])).status_code == 403
    assert client.get("/api/v1/runs", headers=bearer(tokens["reader"])).status_code == 200
    listing = client.get("/api/v1/departments", headers=bearer(tokens["sales"])).json
    assert [d["code"] for d in listing["departments"]] == ["sales"]


def test_an_unknown_run_is_404(client, tokens):
    assert client.get("/api/v1/runs/999", headers=bearer(tokens["admin"])).status_code == 404


def test_ids_too_large_for_the_store_are_404(client, tokens):
    huge = 2**70
    headers = bearer(tokens["admin"])
    assert client.get(f"/api/v1/runs/{huge}", headers=headers).status_code == 404
    path = f"/api/v1/departments/sales/versions/{huge}"
    assert client.get(path, headers=headers).status_code == 404
