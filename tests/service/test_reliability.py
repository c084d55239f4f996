"""Reliability on PostgreSQL: parallel uploads, a store outage, consistent reads during runs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from sync.config import load_config
from sync.consolidate.run import consolidate
from sync.service import create_app
from sync.store import tokens as token_store
from sync.store import uploads as upload_store
from sync.store.engine import open_store
from tests.service.browser import serving
from tests.service.conftest import ORG, make_workspace
from tests.service.tcp_proxy import Proxy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SALES = (ORG / "sales.xlsx").read_bytes()

pytestmark = pytest.mark.postgres


def _admin(store_url: str) -> str:
    engine = open_store(store_url)
    try:
        return token_store.add_token(engine, "admin", ["admin"])
    finally:
        engine.dispose()


def test_twenty_parallel_uploads_all_land_as_versions(tmp_path, postgres_url):
    ws = load_config(make_workspace(tmp_path, postgres_url))
    token = _admin(postgres_url)
    # 15 departments once each, and 5 racing uploads to one department.
    codes = [f"dept{i:02d}" for i in range(15)] + ["sales"] * 5
    with serving(create_app(ws)) as url:

        def upload(code: str) -> int:
            answer = requests.post(
                f"{url}/api/v1/departments/{code}/workbook",
                data=SALES,
                headers={"Authorization": f"Bearer {token}", "Content-Type": XLSX},
                timeout=120,
            )
            return answer.status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(upload, codes))
    assert statuses == [201] * 20
    engine = open_store(postgres_url)
    try:
        assert upload_store.departments(engine) == {**{c: 1 for c in codes[:15]}, "sales": 5}
        assert [v.version for v in upload_store.versions(engine, "sales")] == [1, 2, 3, 4, 5]
        for info, data in upload_store.latest_all(engine):
            assert data == SALES and info.size == len(SALES)
    finally:
        engine.dispose()


def test_a_store_outage_answers_503_then_recovers_without_a_restart(tmp_path, postgres_url):
    parts = urlsplit(postgres_url)
    proxy = Proxy((parts.hostname, parts.port or 5432))
    via_proxy = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    ws = load_config(make_workspace(tmp_path, via_proxy))
    token = _admin(via_proxy)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with serving(create_app(ws)) as url:
            assert requests.get(f"{url}/healthz", timeout=30).status_code == 200
            assert requests.get(f"{url}/api/v1/runs", headers=headers, timeout=30).ok
            proxy.cut()
            health = requests.get(f"{url}/healthz", timeout=60)
            assert health.status_code == 503 and health.json()["store"] == "unreachable"
            down = requests.get(f"{url}/api/v1/runs", headers=headers, timeout=60)
            assert down.status_code == 503
            assert down.json()["error"]["code"] == "unavailable"
            assert "Traceback" not in down.text and token not in down.text
            proxy.restore()
            assert requests.get(f"{url}/healthz", timeout=30).status_code == 200
            back = requests.get(f"{url}/api/v1/runs", headers=headers, timeout=30)
            assert back.status_code == 200
    finally:
        proxy.close()


def test_uploads_during_a_run_are_in_that_run_or_the_next_never_half(tmp_path, postgres_url):
    root = tmp_path / "ws"
    root.mkdir()
    path = make_workspace(root, postgres_url)
    path.write_text(
        path.read_text().replace('kind = "folder"\npath = "departments"', 'kind = "uploads"')
    )
    ws = load_config(path)
    engine = open_store(postgres_url)
    books = {n: (ORG / f"{n}.xlsx").read_bytes() for n in ("company", "sales", "finance")}
    for name, data in books.items():
        upload_store.save_upload(engine, name, data, digest=name)
    stop = threading.Event()

    def keep_uploading() -> None:
        while not stop.is_set():
            upload_store.save_upload(engine, "sales", books["sales"], digest="again")

    writer = threading.Thread(target=keep_uploading)
    writer.start()
    try:
        result = consolidate(ws)
    finally:
        stop.set()
        writer.join()
    states = {s.name: s for s in result.workbooks}
    assert set(states) == {"company.xlsx", "sales.xlsx", "finance.xlsx"}
    assert all(s.state == "fresh" for s in states.values())
    engine.dispose()


def test_on_postgresql_a_killed_run_is_failed_and_409_holds_while_one_runs(
    tmp_path, postgres_url, monkeypatch
):
    from sync.store.lock import run_lock
    from tests.service.test_runs import wait_for

    ws = load_config(make_workspace(tmp_path, postgres_url))
    token = _admin(postgres_url)
    client = create_app(ws, {"TESTING": True}).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    first = client.post("/api/v1/runs", headers=headers).json
    assert wait_for(client, token, first["id"])["state"] == "succeeded"
    before = ws.output.read_bytes()
    with run_lock(ws.store_url):
        assert client.post("/api/v1/runs", headers=headers).status_code == 409
    monkeypatch.setenv("OKR_TEST_KILL_AT", "commit")
    killed = client.post("/api/v1/runs", headers=headers).json
    job = wait_for(client, token, killed["id"])
    assert job["state"] == "failed" and "SIGKILL" in job["error"]
    assert ws.output.read_bytes() == before
