"""The salesforce connector: the real simple-salesforce client against a local REST server.

The server answers ``/services/data/v59.0/query/?q=...`` and ``nextRecordsUrl``
pages with Salesforce's documented shape: ``totalSize``, ``done``, ``records``
(each with ``attributes``) and ``nextRecordsUrl`` while not done; errors as a
list of ``{"message", "errorCode"}``.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import date

import pytest

from sync.metrics.connectors import ConnectionFailure, MetricError
from sync.metrics.connectors.salesforce import SalesforceConnector, client, soql
from sync.metrics.registry import MetricDef
from tests.test_connector_http import Server, new_session

API = "/services/data/v59.0"
TOKEN = "00D000000000001!AQ4AQFake"
Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def _record(kind: str, **fields: object) -> dict[str, object]:
    return {"attributes": {"type": kind, "url": f"{API}/sobjects/{kind}/x"}, **fields}


PAGES = {
    "01gPAGE-2": {
        "totalSize": 5,
        "done": False,
        "nextRecordsUrl": f"{API}/query/01gPAGE-3",
        "records": [_record("Opportunity", Amount=300.0, Account={"Name": "B"}),
                    _record("Opportunity", Amount=None, Account={"Name": "C"})],
    },
    "01gPAGE-3": {
        "totalSize": 5,
        "done": True,
        "records": [_record("Opportunity", Amount=1000.5, Account={"Name": "D"})],
    },
}  # fmt: skip


def answer(q: dict[str, list[str]], headers: dict[str, str], state: dict) -> tuple:
    if headers.get("Authorization") != f"Bearer {TOKEN}":
        error = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        return 401, {}, json.dumps(error).encode()
    soql_text = q["q"][0]
    state["queries"].append(soql_text)
    if "BROKEN" in soql_text:
        error = [{"message": "unexpected token: BROKEN", "errorCode": "MALFORMED_QUERY"}]
        return 400, {}, json.dumps(error).encode()
    if "FLAKY" in soql_text and state["flaky"] == 0:
        state["flaky"] += 1
        return 503, {}, b'[{"message": "try later", "errorCode": "SERVER_UNAVAILABLE"}]'
    if "SLOW" in soql_text:
        time.sleep(1.5)
    if "COUNT()" in soql_text:
        body: dict = {"totalSize": 42, "done": True, "records": []}
    elif "SUM(Amount)" in soql_text:
        body = {"totalSize": 1, "done": True,
                "records": [_record("AggregateResult", total=1234567.5)]}  # fmt: skip
    elif "TWO FIELDS" in soql_text:
        body = {"totalSize": 1, "done": True,
                "records": [_record("AggregateResult", total=1.0, n=2)]}  # fmt: skip
    else:
        body = {
            "totalSize": 5,
            "done": False,
            "nextRecordsUrl": f"{API}/query/01gPAGE-2",
            "records": [_record("Opportunity", Amount=100.0, Account={"Name": "A"}),
                        _record("Opportunity", Amount=200.0, Account={"Name": "A"})],
        }  # fmt: skip
    return 200, {}, json.dumps(body).encode()


@pytest.fixture
def server() -> Iterator[tuple[Server, dict]]:
    s = Server()
    state: dict = {"queries": [], "flaky": 0}
    s.routes[f"{API}/query/"] = lambda q, h: answer(q, h, state)
    for page, body in PAGES.items():
        s.routes[f"{API}/query/{page}"] = lambda q, h, body=body: (
            200,
            {},
            json.dumps(body).encode(),
        )
    yield s, state
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture(params=["pooled", "requests"])
def crm(request, server: tuple[Server, dict]) -> SalesforceConnector:
    settings = {"instance_url": server[0].url, "access_token": TOKEN}
    sf = client(settings, new_session(request.param))
    return SalesforceConnector("crm", sf, timeout=2, sleep=lambda s: None)


def metric(query: str, **spec: object) -> MetricDef:
    return MetricDef("won", "crm", "salesforce", spec={"query": query, **spec})


WON = (
    "SELECT SUM(Amount) total FROM Opportunity "
    "WHERE IsWon = true AND CloseDate >= :start AND CloseDate <= :end"
)


def test_aggregate_query_with_dates_as_soql_literals(crm, server) -> None:
    fetched = crm.fetch(metric(WON), *Q4)
    assert fetched.value == 1234567.5
    assert server[1]["queries"] == [
        "SELECT SUM(Amount) total FROM Opportunity "
        "WHERE IsWon = true AND CloseDate >= 2026-10-01 AND CloseDate <= 2026-12-31"
    ]
    assert fetched.source == f"crm: salesforce 127.0.0.1:{server[0].url.rsplit(':', 1)[1]}"


def test_paging_follows_next_records_url(crm, server) -> None:
    q = "SELECT Amount, Account.Name FROM Opportunity WHERE CloseDate >= :start"
    assert crm.fetch(metric(q, field="Amount", aggregate="sum"), *Q4).value == 1600.5
    assert crm.fetch(metric(q, field="Amount", aggregate="count"), *Q4).value == 4
    assert crm.fetch(metric(q, field="Amount", aggregate="max"), *Q4).value == 1000.5
    assert crm.fetch(metric(q, field="Account.Name", aggregate="count"), *Q4).value == 5
    assert server[0].hits[f"{API}/query/01gPAGE-3"] == 4


def test_count_uses_total_size(crm) -> None:
    assert crm.fetch(metric("SELECT COUNT() FROM Lead WHERE CreatedDate > :start"), *Q4).value == 42


@pytest.mark.parametrize(
    ("query", "spec", "message"),
    [
        ("SELECT Amount FROM Opportunity", {}, "returns 5 records"),
        ("SELECT TWO FIELDS", {}, "2 fields"),
        ("SELECT Account.Name FROM Opportunity", {"field": "Account.Name", "aggregate": "sum"},
         "not a number"),
        ("SELECT BROKEN", {}, "HTTP 400: MALFORMED_QUERY unexpected token: BROKEN"),
    ],
)  # fmt: skip
def test_wrong_shape_and_bad_query_are_clear_errors(crm, query, spec, message) -> None:
    with pytest.raises(MetricError, match=re.escape(message)):
        crm.fetch(metric(query, **spec), *Q4)


def test_server_error_is_retried(crm, server) -> None:
    assert crm.fetch(metric("SELECT SUM(Amount) total FROM FLAKY"), *Q4).value == 1234567.5
    assert server[1]["flaky"] == 1


def test_timeout(crm) -> None:
    started = time.monotonic()
    with pytest.raises(MetricError, match=re.escape("no answer within 0.3 s")):
        crm.fetch(MetricDef("slow", "crm", "salesforce", timeout=0.3, spec={"query": "SLOW"}), *Q4)
    assert time.monotonic() - started < 1.2


@pytest.mark.parametrize("kind", ["pooled", "requests"])
def test_bad_token_fails_the_connection(server, kind: str) -> None:
    sf = client({"instance_url": server[0].url, "access_token": "wrong"}, new_session(kind))
    crm = SalesforceConnector("crm", sf, sleep=lambda s: None)
    with pytest.raises(ConnectionFailure, match=r"refused access .*INVALID_SESSION_ID"):
        crm.fetch(metric(WON), *Q4)


@pytest.mark.parametrize("kind", ["pooled", "requests"])
def test_unreachable_server(kind: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = {"instance_url": f"http://127.0.0.1:{port}", "access_token": TOKEN}
    sf = client(settings, new_session(kind))
    with pytest.raises(ConnectionFailure, match="cannot reach Salesforce"):
        SalesforceConnector("crm", sf).fetch(metric(WON), *Q4)


def test_plain_http_only_on_this_machine() -> None:
    with pytest.raises(ValueError, match="https"):
        client({"instance_url": "http://example.my.salesforce.com", "access_token": TOKEN})
    with pytest.raises(ValueError, match="instance_url and access_token"):
        client({"instance_url": "https://example.my.salesforce.com"})


def test_soql_placeholders_are_only_dates() -> None:
    assert (
        soql("WHERE d >= :start AND d <= :end", *Q4) == "WHERE d >= 2026-10-01 AND d <= 2026-12-31"
    )
