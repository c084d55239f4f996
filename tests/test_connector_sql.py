"""The sql connector against a real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from okr.periods import parse_period
from sync.config import parse_config
from sync.metrics.connectors import ConnectionFailure, ConnectorSet, MetricError
from sync.metrics.connectors.sql import from_settings
from sync.metrics.measure import evaluate
from sync.metrics.registry import ConnectionDef, MetricDef, load_registry

Q4 = (date(2026, 10, 1), date(2026, 12, 31))
ROWS = [("2026-09-30", 100.0), ("2026-10-01", 1.5), ("2026-11-15", 2.5), ("2027-01-01", 9.0)]


def metric(query: str, timeout: float | None = None) -> MetricDef:
    return MetricDef("booked", "erp", "sql", timeout=timeout, spec={"query": query})


@pytest.fixture(params=["sqlite", "postgresql"])
def erp_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with table deals(closed_on date, amount numeric), on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE deals (closed_on DATE, amount NUMERIC(12, 2))"))
        for closed_on, amount in ROWS:
            conn.execute(
                text("INSERT INTO deals VALUES (:d, :a)"),
                {"d": date.fromisoformat(closed_on), "a": amount},
            )
    engine.dispose()
    return url


@pytest.fixture
def sql(erp_url: str, tmp_path: Path):
    connector = from_settings("erp", {"url": erp_url, "timeout": 1}, tmp_path)
    yield connector
    connector.close()


def total(url: str) -> float:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        value = conn.execute(text("SELECT SUM(amount) FROM deals")).scalar()
    engine.dispose()
    return float(value)


def test_query_gets_the_period_as_bound_dates(sql) -> None:
    q = "SELECT SUM(amount) FROM deals WHERE closed_on BETWEEN :start AND :end"
    fetched = sql.fetch(metric(q), *Q4)
    assert fetched.value == 4.0
    assert fetched.source.startswith("erp: ")


def test_only_start_may_be_used(sql) -> None:
    q = "SELECT COUNT(*) FROM deals WHERE closed_on >= :start"
    assert sql.fetch(metric(q), *Q4).value == 3


def test_update_fails_and_changes_nothing(sql, erp_url: str) -> None:
    before = total(erp_url)
    for q in (
        "UPDATE deals SET amount = 0",
        "DELETE FROM deals RETURNING amount",
        "SELECT 1; UPDATE deals SET amount = 0",
        "WITH x AS (UPDATE deals SET amount = 0 RETURNING amount) SELECT SUM(amount) FROM x",
        "SELECT 1) AS a; UPDATE deals SET amount = 0; SELECT * FROM (SELECT 1",
    ):
        with pytest.raises(MetricError):
            sql.fetch(metric(q), *Q4)
    assert total(erp_url) == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT amount FROM deals", "more than one row"),
        ("SELECT amount FROM deals WHERE closed_on > '2030-01-01'", "no rows"),
        ("SELECT SUM(amount), COUNT(*) FROM deals", "2 columns"),
        ("SELECT SUM(amount) FROM deals WHERE closed_on > '2030-01-01'", r"empty \(NULL\)"),
        ("SELECT 'many'", "not a number"),
        ("SELEC 1", "not one SELECT"),
        ("SELECT amount FROM no_such_table", "failed"),
    ],
)
def test_anything_but_one_number_is_a_clear_error(sql, query: str, message: str) -> None:
    with pytest.raises(MetricError, match=message):
        sql.fetch(metric(query), *Q4)


def test_a_slow_query_is_stopped_at_the_timeout(sql, erp_url: str) -> None:
    if erp_url.startswith("sqlite"):
        slow = (
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c"
        )
    else:
        slow = "SELECT 1 FROM pg_sleep(5)"
    started = time.monotonic()
    with pytest.raises(MetricError, match=re.escape("timed out after 0.3 s")):
        sql.fetch(metric(slow, timeout=0.3), *Q4)
    assert time.monotonic() - started < 3
    # the connection is usable again afterwards
    assert sql.fetch(metric("SELECT COUNT(*) FROM deals"), *Q4).value == 4


def test_unreachable_postgres_is_a_connection_failure(tmp_path: Path) -> None:
    connector = from_settings("erp", {"url": "postgresql://u:pw@127.0.0.1:1/x"}, tmp_path)
    with pytest.raises(ConnectionFailure, match="cannot connect") as caught:
        connector.fetch(metric("SELECT 1"), *Q4)
    assert "pw" not in str(caught.value)


def test_missing_sqlite_file_is_a_connection_failure(tmp_path: Path) -> None:
    with pytest.raises(ConnectionFailure, match="does not exist"):
        from_settings("erp", {"url": "sqlite:///nowhere.sqlite"}, tmp_path)


def test_relative_sqlite_path_is_taken_from_the_workspace(tmp_path: Path) -> None:
    db = tmp_path / "data" / "erp.sqlite"
    db.parent.mkdir()
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (7)"))
    engine.dispose()
    connector = from_settings("erp", {"url": "sqlite:///data/erp.sqlite"}, tmp_path)
    assert connector.fetch(metric("SELECT v FROM t"), *Q4).value == 7
    assert connector.engine.url.query["mode"] == "ro"
    connector.close()


def test_registry_refuses_other_bound_parameters(tmp_path: Path) -> None:
    ws = parse_config(
        {
            "connections": {"erp": {"kind": "sql", "url": "sqlite:///x.sqlite"}},
            "metrics": {"m": {"connection": "erp", "query": "SELECT :region"}},
        },
        tmp_path,
    )
    with pytest.raises(Exception, match=r"\[metrics.m\].*:region"):
        load_registry(ws)


def test_password_from_the_environment_never_shows(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ERP_PASSWORD", "s3cret-pw")
    conn = ConnectionDef(
        "erp", "sql", {"kind": "sql", "url": "postgresql://u:${ERP_PASSWORD}@127.0.0.1:1/x"}
    )
    connectors = ConnectorSet({"erp": conn}, tmp_path)
    outcome = evaluate(
        metric("SELECT 1"),
        lambda: connectors.get("erp"),
        parse_period("2026-Q4"),
        today=date(2026, 11, 27),
        secrets=connectors.secrets("erp"),
    )
    connectors.close()
    assert outcome.state == "failed"
    assert "s3cret-pw" not in outcome.error
    assert "cannot connect" in outcome.error
