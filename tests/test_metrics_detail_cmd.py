"""``okr metrics detail`` and the detail ``okr metrics refresh`` captures, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sync.store.details import latest_detail
from sync.store.engine import open_store
from tests.test_metrics_cmd import CONFIG, run
from tests.test_refresh import ROWS, fill, make_erp

DETAIL = """
[metrics.bookings_listed]
connection = "erp"
unit = "EUR"
query = "SELECT SUM(value) FROM kpi WHERE name = 'bookings' AND day BETWEEN :start AND :end"
detail = "SELECT name, day, value FROM kpi WHERE name = 'bookings' AND day BETWEEN :start AND :end"
detail_total = "value"
"""


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_erp(tmp_path / "erp.sqlite")
    rows = [(*r[:7], "bookings_listed") if r[7] == "bookings" else r for r in ROWS]
    fill(tmp_path / "depts" / "sales.xlsx", rows)
    (tmp_path / "okr.toml").write_text(CONFIG + DETAIL, encoding="utf-8")
    monkeypatch.setenv("OKR_TEST_WAREHOUSE_PW", "hunter2-secret")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "okr.toml"


ARGS = ("metrics", "detail", "bookings_listed", "--period", "2026-Q4", "--as-of", "2026-11-27")


def test_text_shows_the_rows_and_the_reconciliation(ws, capsys):
    code, out, _ = run(capsys, *ARGS)
    assert code == 0
    assert "  rows    1 shown of 1" in out
    assert "  check   reconciled: detail total 40.00 = value" in out
    assert out.splitlines()[-2:] == ["name\tday\tvalue", "bookings\t2026-11-01\t40.0"]


def test_json_and_csv(ws, capsys):
    code, out, _ = run(capsys, *ARGS, "--format", "json")
    assert code == 0
    detail = json.loads(out)["detail"]
    assert (detail["rows_total"], detail["status"], detail["total"]) == (1, "reconciled", 40.0)
    _, out, _ = run(capsys, *ARGS, "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [["name", "day", "value"],
                                                  ["bookings", "2026-11-01", "40.0"]]  # fmt: skip


def test_a_metric_without_detail_says_how_to_add_one(ws, capsys):
    code, _, err = run(capsys, "metrics", "detail", "bookings")
    assert code == 2 and "has no detail: add detail" in err


def test_refresh_records_the_detail_in_the_store(ws, capsys):
    run(capsys, "metrics", "refresh", "--as-of", "2026-11-27")
    engine = open_store(f"sqlite:///{ws.parent / '.okr' / 'okr.db'}")
    try:
        found = latest_detail(engine, "bookings_listed", "2026-Q4")
    finally:
        engine.dispose()
    assert found is not None and found.status == "reconciled" and found.rows[0][2] == 40.0


def test_refresh_names_a_detail_that_failed(ws, capsys):
    text = ws.read_text().replace("SELECT name, day, value FROM kpi", "SELECT * FROM nothing")
    ws.write_text(text)
    _, out, _ = run(capsys, "metrics", "refresh", "--as-of", "2026-11-27")
    assert "detail   bookings_listed 2026-Q4: failed: the query failed" in out
