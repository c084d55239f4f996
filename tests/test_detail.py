"""Metric detail: the records behind a value, per connector kind, capped and reconciled."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import requests
from sqlalchemy import create_engine, text

from okr.periods import parse_period
from sync.metrics.connectors.salesforce import SalesforceConnector, client
from sync.metrics.connectors.sql import from_settings as sql_connector
from sync.metrics.detail import FAILED, MISMATCH, RECONCILED, UNCHECKED, capture, check_detail
from sync.metrics.measure import evaluate
from sync.metrics.registry import MetricDef
from sync.store.details import latest_detail, latest_details, record_details
from sync.store.engine import open_store
from tests.test_connector_file import accounting  # noqa: F401 (a fixture)
from tests.test_connector_http import Server
from tests.test_connector_salesforce import API, TOKEN
from tests.test_connector_salesforce import server as sf_server  # noqa: F401 (a fixture)
from tests.test_connector_sql import erp_url  # noqa: F401 (a fixture)

Q4 = (date(2026, 10, 1), date(2026, 12, 31))
WON = "SELECT SUM(amount) FROM deals WHERE closed_on BETWEEN :start AND :end"
ROWS = "SELECT closed_on, amount, note FROM deals WHERE closed_on BETWEEN :start AND :end"


@pytest.fixture
def sql(erp_url, tmp_path):  # noqa: F811
    engine = create_engine(erp_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE deals ADD COLUMN note VARCHAR(80)"))
        conn.execute(text("UPDATE deals SET note = '=cmd|'' /C calc''!A0'"))
    engine.dispose()
    connector = sql_connector("erp", {"url": erp_url, "timeout": 2}, tmp_path)
    yield connector
    connector.close()


def sql_metric(**spec) -> MetricDef:
    return MetricDef("won", "erp", "sql", spec={"query": WON, "detail": ROWS, **spec})


def test_sql_detail_is_the_rows_of_the_same_window_and_reconciles(sql):
    d = capture(sql_metric(detail_total="amount"), sql, "2026-Q4", *Q4, 4.0)
    assert d.columns == ("closed_on", "amount", "note")
    assert [r[1] for r in d.rows] == [1.5, 2.5]
    assert (d.row_count, d.total, d.status) == (2, 4.0, RECONCILED)
    assert d.rows[0][2] == "=cmd|' /C calc'!A0"  # kept as the text it is


def test_a_detail_that_does_not_add_up_is_a_mismatch_naming_the_difference(sql):
    d = capture(sql_metric(detail_total="amount"), sql, "2026-Q4", *Q4, 5.0)
    assert d.status == MISMATCH and d.difference == pytest.approx(1.0)
    assert "value 5.00, detail total 4.00, difference 1.00" in d.summary()


def test_count_reconciles_with_the_row_count(sql):
    assert capture(sql_metric(detail_total="count"), sql, "Q", *Q4, 2.0).status == RECONCILED
    assert capture(sql_metric(), sql, "Q", *Q4, 2.0).status == UNCHECKED


def test_the_cap_keeps_some_rows_and_counts_them_all(sql):
    d = capture(sql_metric(detail_rows=1, detail_total="count"), sql, "Q", *Q4, 2.0)
    assert (len(d.rows), d.row_count, d.status) == (1, 2, RECONCILED)


def test_a_detail_query_that_writes_is_refused(sql, erp_url):  # noqa: F811
    bad = sql_metric(detail="UPDATE deals SET amount = 0 RETURNING amount")
    d = capture(bad, sql, "Q", *Q4, 4.0)
    assert d.status == FAILED
    engine = create_engine(erp_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT SUM(amount) FROM deals")).scalar() > 0
    engine.dispose()


def test_refresh_captures_the_detail_with_the_value_same_window_and_as_of(sql):
    when = datetime(2026, 11, 27, 6, 0)
    outcome = evaluate(sql_metric(detail_total="amount"), lambda: sql, parse_period("2026-Q4"),
                       today=date(2026, 11, 27), now=lambda: when)  # fmt: skip
    d = outcome.detail
    assert outcome.value == 4.0 and d.status == RECONCILED
    assert (d.as_of, d.window) == (when, (outcome.start, outcome.end))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"detail_rows": 0}, "detail_rows"),
        ({"detail_total": ""}, "detail_total"),
        ({"query": WON, "detail_total": "amount"}, "need detail"),
    ],
)
def test_bad_detail_settings_are_refused(spec, message):
    base = {"query": WON, "detail": ROWS}
    m = MetricDef("won", "erp", "sql", spec={**base, **spec} if "query" not in spec else spec)
    with pytest.raises(ValueError, match=message):
        check_detail(m)


def test_file_detail_is_the_selected_rows_in_the_chosen_columns(accounting):  # noqa: F811
    m = MetricDef("overdue", "accounting", "file", spec={
        "column": "amount_open", "aggregate": "sum", "where": {"bucket": "over 60"},
        "detail_columns": ["invoice_no", "customer"], "detail_total": "amount_open",
    })  # fmt: skip
    value = accounting.fetch(m, *Q4).value
    d = capture(m, accounting, "Q", *Q4, value)
    assert d.columns == ("invoice_no", "customer", "amount_open")
    assert d.rows[0] == ("INV-2607-000101", "Customer 001", 12500.5)
    assert d.status == RECONCILED and d.total == pytest.approx(19_750.50)


def test_http_detail_comes_from_the_same_answer_without_a_second_request():
    server = Server()
    body = {"total": 3, "items": [{"id": "T-1", "age": 3}, {"id": "T-2", "age": 9},
                                  {"id": "T-3", "age": 1, "extra": "=1+1"}]}  # fmt: skip
    server.json("/tickets", body)
    from sync.metrics.connectors.http import HttpConnector

    conn = HttpConnector("desk", requests.Session(), base_url=server.url)
    spec = {"url": "/tickets?to={end}", "path": "total"}
    m = MetricDef("open", "desk", "http", spec={**spec, "detail_path": "items",
                                               "detail_total": "count"})  # fmt: skip
    try:
        outcome = evaluate(m, lambda: conn, parse_period("2026-Q4"), today=date(2026, 11, 27))
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    d = outcome.detail
    assert d.columns == ("id", "age", "extra")
    assert d.rows[2] == ("T-3", 1, "=1+1") and d.status == RECONCILED
    assert server.hits["/tickets"] == 1


def test_salesforce_detail_pages_through_the_records(sf_server):  # noqa: F811
    sf = client({"instance_url": sf_server[0].url, "access_token": TOKEN}, requests.Session())
    crm = SalesforceConnector("crm", sf, timeout=2, sleep=lambda s: None)
    q = "SELECT Amount, Account.Name FROM Opportunity WHERE CloseDate >= :start"
    m = MetricDef("won", "crm", "salesforce", spec={
        "query": q, "field": "Amount", "aggregate": "sum", "detail": q, "detail_total": "Amount",
    })  # fmt: skip
    d = capture(m, crm, "Q", *Q4, crm.fetch(m, *Q4).value)
    assert d.columns == ("Amount", "Account")
    assert d.rows[0] == (100.0, "A") and d.row_count == 5
    assert d.status == RECONCILED and d.total == pytest.approx(1600.5)
    assert sf_server[0].hits[f"{API}/query/01gPAGE-3"] == 2


def test_details_are_stored_and_read_back(store_url, sql):
    d = capture(sql_metric(detail_total="amount"), sql, "2026-Q4", *Q4, 4.0,
                as_of=datetime(2026, 11, 27, 6), source="erp")  # fmt: skip
    engine = open_store(store_url)
    try:
        assert record_details(engine, [d]) == 1
        back = latest_detail(engine, "won", "2026-Q4")
        assert back is not None and (back.rows, back.status, back.total) == (
            tuple(tuple(json.loads(json.dumps(list(r), default=str))) for r in d.rows),
            RECONCILED,
            4.0,
        )
        assert set(latest_details(engine)) == {("won", "2026-Q4")}
    finally:
        engine.dispose()
