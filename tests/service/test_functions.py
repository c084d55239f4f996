"""The functions over HTTP: the same answers as the UDFs, broadcast over ranges."""

from __future__ import annotations

from datetime import date

import pytest

from addin import udfs
from okr import functions
from tests.service.conftest import bearer
from tests.test_udfs import _table

SERIAL = (date(2026, 11, 15) - date(1899, 12, 30)).days

SCALAR_CASES = [
    ("OKR_PROGRESS", ["increase", 100, 200, 150]),
    ("OKR_PROGRESS", ["decrease", 7.0, 3.0, 5.5]),
    ("OKR_PROGRESS", ["milestone", None, None, "是"]),
    ("OKR_PROGRESS", ["increase", "1,000.0", "2,000.0", "1,337.7"]),
    ("OKR_STATUS", [0.3, "2026-Q4", "2026-11-15"]),
    ("OKR_STATUS", [0.3, "2026-Q4", SERIAL]),
    ("OKR_STATUS", [0.45, "2026-Q4", "2026-11-15T00:00:00.000Z"]),
    ("OKR_STATUS", [0.5, "soon", "2026-11-15"]),
]


@pytest.mark.parametrize(("name", "args"), SCALAR_CASES)
def test_a_call_equals_the_udf_to_the_last_bit(client, tokens, name, args):
    answer = client.post(
        f"/api/v1/functions/{name}", json={"args": args}, headers=bearer(tokens["reader"])
    )
    assert answer.status_code == 200
    assert answer.json == {"result": getattr(udfs, name)(*args)}


def test_a_column_is_one_call_and_scalars_stretch(client, tokens):
    column = [["increase"], ["decrease"], ["milestone"]]
    current = [[150], [150], ["done"]]
    answer = client.post(
        "/api/v1/functions/OKR_PROGRESS",
        json={"args": [column, 100, [[200], [50], [None]], current]},
        headers=bearer(tokens["sales"]),
    )
    assert answer.status_code == 200
    assert answer.json["result"] == [
        [udfs.OKR_PROGRESS("increase", 100, 200, 150)],
        [udfs.OKR_PROGRESS("decrease", 100, 50, 150)],
        [1.0],
    ]


def test_a_bad_cell_is_an_error_in_that_cell_only(client, tokens):
    answer = client.post(
        "/api/v1/functions/OKR_STATUS",
        json={"args": [[[0.3], [0.3]], "2026-Q4", [["2026-11-15"], ["next week"]]]},
        headers=bearer(tokens["reader"]),
    )
    assert answer.status_code == 200
    first, second = answer.json["result"]
    assert first == ["at risk"]
    assert second[0]["error"]["code"] == "bad-argument"
    assert "next week" in second[0]["error"]["message"]


def test_a_bad_scalar_argument_is_400_naming_it(client, tokens):
    answer = client.post(
        "/api/v1/functions/OKR_STATUS",
        json={"args": [0.3, "2026-Q4", "soon"]},
        headers=bearer(tokens["reader"]),
    )
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "bad-argument"
    assert "as_of" in answer.json["error"]["message"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ([[[1, 2], [3]], 0, 10, 5], "direction"),  # not a rectangle
        (["increase", [[1], [2]], [[1], [2], [3]], 5], "target"),  # shapes cannot meet
        (["increase", 0, 10], "args"),  # too few
        (["increase", {"a": 1}, 10, 5], "baseline"),  # an object in a cell
        (["increase", [], 10, 5], "baseline"),  # empty range
    ],
)
def test_arguments_that_cannot_be_used_are_400(client, tokens, args, named):
    answer = client.post(
        "/api/v1/functions/OKR_PROGRESS", json={"args": args}, headers=bearer(tokens["reader"])
    )
    assert answer.status_code == 400
    assert named in answer.json["error"]["message"]


def test_an_unknown_function_is_404(client, tokens):
    answer = client.post(
        "/api/v1/functions/OKR_NOPE", json={"args": []}, headers=bearer(tokens["reader"])
    )
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "unknown-function"


def test_a_body_that_is_not_a_call_is_400(client, tokens):
    answer = client.post(
        "/api/v1/functions/OKR_PROGRESS", json={"argz": []}, headers=bearer(tokens["reader"])
    )
    assert answer.status_code == 400
    assert set(answer.json) == {"error"}


def test_check_over_http_equals_the_udf(client, tokens):
    table = [[c if not isinstance(c, date) else c.isoformat() for c in r] for r in _table()]
    answer = client.post(
        "/api/v1/functions/OKR_CHECK", json={"args": [table]}, headers=bearer(tokens["reader"])
    )
    assert answer.json == {"result": udfs.OKR_CHECK(table)}


def test_a_batch_answers_every_call_and_one_bad_call_fails_alone(client, tokens):
    calls = [
        {"function": "OKR_PROGRESS", "args": ["increase", 0, 10, 4]},
        {"function": "OKR_NOPE", "args": []},
        {"function": "OKR_STATUS", "args": [0.3, "2026-Q4", "whenever"]},
        {"function": "okr_status", "args": [0.3, "2026-Q4", "2026-11-15"]},
    ]
    answer = client.post(
        "/api/v1/functions:batch", json={"calls": calls}, headers=bearer(tokens["finance"])
    )
    assert answer.status_code == 200
    results = answer.json["results"]
    assert results[0] == {"result": 0.4}
    assert results[1]["error"]["code"] == "unknown-function"
    assert results[2]["error"]["code"] == "bad-argument"
    assert results[3] == {"result": "at risk"}


def test_a_1000_row_column_in_a_batch(client, tokens):
    column = [[i / 10] for i in range(1000)]
    calls = [{"function": "OKR_PROGRESS", "args": ["increase", 0, 100, column]}]
    answer = client.post(
        "/api/v1/functions:batch", json={"calls": calls}, headers=bearer(tokens["reader"])
    )
    result = answer.json["results"][0]["result"]
    assert len(result) == 1000
    assert result == [[udfs.OKR_PROGRESS("increase", 0, 100, r[0])] for r in column]


def test_metric_reads_the_latest_value_from_the_store(client, tokens, app):
    from sync.metrics.measure import Outcome
    from sync.store import metrics as metric_store

    engine = app.extensions["okr"].engine
    outcome = Outcome.__new__(Outcome)
    del outcome
    from datetime import datetime

    from sqlalchemy import insert

    with engine.begin() as conn:
        for value in (10.0, 12.5):
            conn.execute(
                insert(metric_store.metric_values),
                {
                    "metric": "revenue",
                    "period": "2026-Q4",
                    "value": value,
                    "as_of": datetime(2026, 11, 1),
                    "source": "erp",
                    "duration": 0.1,
                    "error": "",
                    "recorded_at": datetime.now(),
                },
            )
    ok = client.post(
        "/api/v1/functions/OKR_METRIC",
        json={"args": ["revenue", "2026-Q4"]},
        headers=bearer(tokens["reader"]),
    )
    assert ok.json == {"result": 12.5}
    missing = client.post(
        "/api/v1/functions/OKR_METRIC",
        json={"args": ["nope", "2026-Q4"]},
        headers=bearer(tokens["reader"]),
    )
    assert missing.status_code == 400 and "nope" in missing.json["error"]["message"]
    assert functions.FUNCTIONS["OKR_METRIC"].params == ("name", "period")
