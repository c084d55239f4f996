"""The company view from the last run: tree levels, metrics, who may read them."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert

from sync.config import load_config
from sync.consolidate.run import consolidate
from sync.service import create_app
from sync.store import metrics as metric_store
from tests.service.conftest import bearer


@pytest.fixture
def ran(app):
    """The app after one consolidation of its workspace."""
    consolidate(app.extensions["okr"].ws)
    return app


def test_the_tree_opens_a_level_at_a_time(ran, client, tokens):
    top = client.get("/api/v1/tree", headers=bearer(tokens["reader"])).json
    assert top["run_id"] and top["nodes"]
    first = top["nodes"][0]
    assert first["id"].startswith("CO-") and first["children"] > 0 and first["nodes"] == []
    level = client.get(f"/api/v1/tree?root={first['id']}", headers=bearer(tokens["reader"])).json
    assert len(level["nodes"]) == first["children"]
    assert all(n["parent"] == first["id"] for n in level["nodes"])
    deep = client.get(
        f"/api/v1/tree?root={first['id']}&depth=2", headers=bearer(tokens["sales"])
    ).json
    assert any(n["nodes"] for n in deep["nodes"])


def test_the_tree_before_any_run_is_empty(client, tokens):
    assert client.get("/api/v1/tree", headers=bearer(tokens["reader"])).json["nodes"] == []


@pytest.mark.parametrize("query", ["depth=0", "depth=x", "depth=99"])
def test_a_bad_depth_is_400(client, tokens, query):
    answer = client.get(f"/api/v1/tree?{query}", headers=bearer(tokens["reader"]))
    assert answer.status_code == 400 and "depth" in answer.json["error"]["message"]


def test_without_transparency_a_department_sees_only_its_subtree(ran, tokens, workspace):
    workspace.write_text(workspace.read_text() + "[service]\ntransparency = false\n")
    client = create_app(load_config(workspace), {"TESTING": True}).test_client()
    top = client.get("/api/v1/tree", headers=bearer(tokens["sales"])).json["nodes"]
    assert top and all(n["workbook"] == "sales.xlsx" for n in top)
    company = client.get("/api/v1/tree", headers=bearer(tokens["reader"])).json["nodes"][0]
    answer = client.get(f"/api/v1/tree?root={company['id']}", headers=bearer(tokens["sales"]))
    assert answer.status_code == 403
    assert client.get("/api/v1/metrics", headers=bearer(tokens["sales"])).status_code == 403
    assert client.get("/api/v1/company.xlsx", headers=bearer(tokens["sales"])).status_code == 403


def _measure(app, metric, value, as_of, error=""):
    with app.extensions["okr"].engine.begin() as conn:
        conn.execute(
            insert(metric_store.metric_values),
            {
                "metric": metric,
                "period": "2026-Q4",
                "value": None if error else value,
                "as_of": None if error else as_of,
                "source": "erp: orders",
                "duration": 0.1,
                "error": error,
                "recorded_at": datetime.now(),
            },
        )


def test_metrics_say_value_as_of_source_and_state(app, client, tokens):
    _measure(app, "revenue", 10.0, datetime.now())
    _measure(app, "old", 3.0, datetime(2020, 1, 1))
    _measure(app, "broken", None, None, error="connection refused")
    found = client.get("/api/v1/metrics", headers=bearer(tokens["reader"])).json["metrics"]
    states = {m["name"]: m["state"] for m in found}
    assert states == {"revenue": "ok", "old": "stale", "broken": "failed"}
    one = client.get("/api/v1/metrics/revenue?period=2026-Q4", headers=bearer(tokens["sales"]))
    assert one.json["value"] == 10.0 and one.json["source"] == "erp: orders"
    assert client.get("/api/v1/metrics/revenue", headers=bearer(tokens["sales"])).status_code == 200
    missing = client.get("/api/v1/metrics/nope", headers=bearer(tokens["reader"]))
    assert missing.status_code == 404
    assert client.get("/api/v1/metrics").status_code == 401
    assert client.get("/api/v1/metrics", headers=bearer(tokens["revoked"])).status_code == 401


def test_a_metric_answers_its_detail_rows(app, client, tokens):
    from sync.metrics.detail import Detail
    from sync.store.details import record_details

    _measure(app, "receivables", 30.0, datetime.now())
    detail = Detail(
        "receivables",
        "2026-Q4",
        ("invoice", "amount"),
        (("INV-1", 10.0), ("INV-2", 20.0)),
        row_count=2,
        total=30.0,
    )
    record_details(app.extensions["okr"].engine, [detail])
    one = client.get(
        "/api/v1/metrics/receivables?period=2026-Q4", headers=bearer(tokens["reader"])
    ).json
    assert one["detail"] == [
        {"invoice": "INV-1", "amount": 10.0},
        {"invoice": "INV-2", "amount": 20.0},
    ]
    assert one["detail_total"] == 30.0
    listed = client.get("/api/v1/metrics", headers=bearer(tokens["reader"])).json["metrics"]
    assert {m["name"]: m["detail"] for m in listed}["receivables"][1]["invoice"] == "INV-2"
