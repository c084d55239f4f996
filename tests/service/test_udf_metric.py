"""OKR_METRIC in desktop Excel: from the store directly, or through the service."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert

from addin import udfs
from sync.metrics import lookup
from sync.store import metrics as metric_store
from tests.service.browser import serving


@pytest.fixture
def measured(app):
    """The app's store with one good value of revenue for 2026-Q4."""
    with app.extensions["okr"].engine.begin() as conn:
        conn.execute(
            insert(metric_store.metric_values),
            {
                "metric": "revenue",
                "period": "2026-Q4",
                "value": 41.5,
                "as_of": datetime(2026, 11, 1),
                "source": "erp",
                "duration": 0.1,
                "error": "",
                "recorded_at": datetime.now(),
            },
        )
    return app


def test_metric_reads_the_store_of_okr_config(measured, workspace, monkeypatch):
    lookup._engine_for.cache_clear()
    monkeypatch.delenv("OKR_SERVICE_URL", raising=False)
    monkeypatch.setenv("OKR_CONFIG", str(workspace))
    assert udfs.OKR_METRIC("revenue", "2026-Q4") == 41.5
    assert udfs.OKR_METRIC([["revenue"], ["nope"]], "2026-Q4")[0] == [41.5]
    with pytest.raises(ValueError, match="nope"):
        udfs.OKR_METRIC("nope", "2026-Q4")


def test_metric_asks_the_service_when_okr_service_url_is_set(measured, tokens, monkeypatch):
    with serving(measured) as url:
        monkeypatch.setenv("OKR_SERVICE_URL", url)
        monkeypatch.setenv("OKR_SERVICE_TOKEN", tokens["reader"])
        assert udfs.OKR_METRIC("revenue", "2026-Q4") == 41.5
        with pytest.raises(ValueError, match="nope"):
            udfs.OKR_METRIC("nope", "2026-Q4")
        monkeypatch.setenv("OKR_SERVICE_TOKEN", "okr_wrong")
        with pytest.raises(ValueError, match="not valid"):
            udfs.OKR_METRIC("revenue", "2026-Q4")
