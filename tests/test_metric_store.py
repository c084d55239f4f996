"""Metric values in the store, the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sync.metrics.measure import Outcome
from sync.store.engine import open_store
from sync.store.metrics import history, latest, record

START, END = date(2026, 10, 1), date(2026, 11, 24)


def ok(metric: str, value: float, at: datetime, period: str = "2026-Q4") -> Outcome:
    return Outcome(
        metric, period, "ok", value, at, "erp: sqlite:///erp.sqlite", 0.0123, "", START, END
    )


def failed(metric: str, error: str, period: str = "2026-Q4") -> Outcome:
    return Outcome(metric, period, "failed", duration=2.0, error=error, start=START, end=END)


@pytest.fixture
def engine(store_url: str):
    engine = open_store(store_url)
    yield engine
    engine.dispose()


def test_every_value_is_recorded_with_its_provenance(engine) -> None:
    at = datetime(2026, 11, 27, 6, 0, 5)
    assert record(engine, [ok("dso_days", 51.2, at)], recorded_at=datetime(2026, 11, 27, 6, 1)) == 1
    got = latest(engine, "dso_days", "2026-Q4")
    assert got is not None and got.ok
    assert (got.metric, got.period, got.value, got.as_of) == ("dso_days", "2026-Q4", 51.2, at)
    assert got.source == "erp: sqlite:///erp.sqlite"
    assert got.duration == pytest.approx(0.0123)
    assert got.error == ""
    assert (got.window_start, got.window_end) == (START, END)
    assert got.recorded_at == datetime(2026, 11, 27, 6, 1)


def test_failure_is_recorded_without_value_and_last_good_is_kept(engine) -> None:
    record(
        engine,
        [ok("dso_days", 51.2, datetime(2026, 11, 26, 6, 0))],
        recorded_at=datetime(2026, 11, 26, 6, 1),
    )
    record(
        engine,
        [failed("dso_days", "the query timed out after 30 s")],
        recorded_at=datetime(2026, 11, 27, 6, 1),
    )
    newest = latest(engine, "dso_days", "2026-Q4")
    assert newest is not None and not newest.ok
    assert newest.value is None and newest.as_of is None
    assert newest.error == "the query timed out after 30 s"
    good = latest(engine, "dso_days", "2026-Q4", good_only=True)
    assert good is not None and good.value == 51.2


def test_skipped_outcomes_are_not_recorded(engine) -> None:
    skipped = Outcome("dso_days", "2027-Q1", "skipped", error="not begun")
    assert record(engine, [skipped]) == 0
    assert latest(engine, "dso_days", "2027-Q1") is None


def test_history_is_oldest_first_per_period(engine) -> None:
    for day, value in ((24, 53.0), (25, 52.5), (26, 51.8)):
        at = datetime(2026, 11, day, 6, 0)
        record(
            engine, [ok("dso_days", value, at), ok("dso_days", 60.0, at, "2026-Q3")], recorded_at=at
        )
    record(engine, [failed("dso_days", "down")], recorded_at=datetime(2026, 11, 27, 6, 0))
    values = [r.value for r in history(engine, "dso_days", "2026-Q4")]
    assert values == [53.0, 52.5, 51.8, None]
    assert [r.value for r in history(engine, "dso_days", "2026-Q4", good_only=True, limit=2)] == [
        52.5,
        51.8,
    ]
    since = history(engine, "dso_days", "2026-Q4", since=datetime(2026, 11, 26))
    assert [r.value for r in since] == [51.8, None]
    assert len(history(engine, "dso_days")) == 7
