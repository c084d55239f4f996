"""``okr metrics list | test | refresh`` as a user runs them: exit codes and one-line errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sync.cli import main
from tests.test_refresh import ROWS, fill, make_erp

CONFIG = """
[organisation]
period = "2026-Q4"

[[sources]]
kind = "folder"
path = "depts"

[connections.erp]
kind = "sql"
url = "sqlite:///erp.sqlite"

[connections.warehouse]
kind = "sql"
url = "postgresql://reporter:${OKR_TEST_WAREHOUSE_PW}@127.0.0.1:1/dw"
timeout = 2

[metrics.bookings]
connection = "erp"
unit = "EUR"
owner = "lena@example.org"
description = "Won deals"
query = "SELECT SUM(value) FROM kpi WHERE name = 'bookings' AND day BETWEEN :start AND :end"

[metrics.cycle_days]
connection = "erp"
unit = "days"
lag_days = 3
query = "SELECT SUM(value) FROM kpi WHERE name = 'cycle_days' AND day BETWEEN :start AND :end"

[metrics.win_rate]
connection = "erp"
query = "SELECT SUM(value) FROM kpi WHERE name = 'win_rate' AND day BETWEEN :start AND :end"

[metrics.launched]
connection = "erp"
query = "SELECT SUM(value) FROM kpi WHERE name = 'launched' AND day BETWEEN :start AND :end"

[metrics.pipeline]
connection = "warehouse"
query = "SELECT 1"
"""


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_erp(tmp_path / "erp.sqlite")
    fill(tmp_path / "depts" / "sales.xlsx", ROWS)
    (tmp_path / "okr.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("OKR_TEST_WAREHOUSE_PW", "hunter2-secret")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "okr.toml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(ws: Path, capsys) -> None:
    code, out, _ = run(capsys, "metrics", "list")
    assert code == 0
    assert "bookings" in out and "erp (sql)" in out and "lena@example.org" in out
    assert "lag 3d" in out and out.strip().endswith("5 metric(s), 2 connection(s)")
    code, out, _ = run(capsys, "metrics", "list", "--format", "json", "--config", str(ws))
    assert json.loads(out)[0] == {
        "name": "bookings", "connection": "erp", "kind": "sql", "unit": "EUR", "lag_days": 0,
        "owner": "lena@example.org", "description": "Won deals",
    }  # fmt: skip


def test_test_shows_value_as_of_source_and_time(ws: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "metrics", "test", "bookings", "--period", "2026-Q4", "--as-of", "2026-11-27"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "bookings 2026-Q4 = 40 EUR"
    assert lines[1].startswith("  as of   2026-11-27 ")  # the day asked for, not today
    assert lines[2] == "  window  2026-10-01 .. 2026-11-27"
    assert lines[3] == "  source  erp: sqlite:///erp.sqlite"
    assert lines[4].startswith("  took    ")


def test_test_with_lag_and_json(ws: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "metrics", "test", "cycle_days", "--as-of", "2026-11-27", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["value"] == 50 and data["window"] == ["2026-10-01", "2026-11-24"]


def test_failing_metric_is_one_line_without_secrets(ws: Path, capsys) -> None:
    code, out, err = run(capsys, "metrics", "test", "pipeline")
    assert code == 3 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(
        "okr: metric pipeline (2026-Q4, warehouse): cannot connect to "
        "postgresql://reporter:***@127.0.0.1:1/dw"
    )
    assert "hunter2" not in err and "Traceback" not in err


def test_unknown_metric_and_bad_period(ws: Path, capsys) -> None:
    code, _, err = run(capsys, "metrics", "test", "nope")
    assert code == 2 and "no metric nope in the registry" in err and "known: bookings" in err
    code, _, err = run(capsys, "metrics", "test", "boookings")
    assert "did you mean `bookings`?" in err
    code, _, err = run(capsys, "metrics", "test", "bookings", "--period", "Q4")
    assert code == 2 and "--period Q4" in err


def test_bad_registry_names_the_metric_and_the_fix(ws: Path, capsys) -> None:
    ws.write_text(CONFIG + '\n[metrics.typo]\nconnection = "erp"\nqery = "SELECT 1"\n')
    code, _, err = run(capsys, "metrics", "list")
    assert code == 2
    assert "[metrics.typo] lacks query" in err and err.count("\n") == 1


def test_a_secret_written_in_the_file_is_refused(ws: Path, capsys) -> None:
    ws.write_text(CONFIG.replace("${OKR_TEST_WAREHOUSE_PW}", "hunter2-secret"))
    code, _, err = run(capsys, "metrics", "list")
    assert code == 2 and "hunter2" not in err
    assert "[connections.warehouse]: the password in url is written in the file" in err


def test_no_metrics_configured(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "metrics", "list")
    assert code == 2 and "no [metrics.*] tables" in err


def test_refresh_reports_failures_and_goes_on(ws: Path, capsys) -> None:
    code, out, _ = run(capsys, "metrics", "refresh", "--as-of", "2026-11-27")
    assert code == 1
    assert "failed   pipeline 2026-Q4 [warehouse]: cannot connect to postgresql://" in out
    assert "written  sales.xlsx: 4 value(s), 1 marked failed" in out
    assert "hunter2" not in out
    assert out.strip().splitlines()[-1].startswith("4 of 5 metric value(s) measured, 1 failed")


def test_refresh_all_good_exits_0_with_json(ws: Path, capsys, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "erp.sqlite") as conn:
        conn.execute("INSERT INTO kpi VALUES ('pipeline', '2026-11-01', 3)")
    conn.close()
    good = 'connection = "erp"\nquery = "SELECT SUM(value) FROM kpi WHERE name = \'pipeline\'"'
    text = ws.read_text().replace('connection = "warehouse"\nquery = "SELECT 1"', good)
    ws.write_text(text)
    code, out, _ = run(capsys, "metrics", "refresh", "depts", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [w["state"] for w in data["workbooks"]] == ["written"]
    assert {o["metric"] for o in data["outcomes"]} == {
        "bookings",
        "cycle_days",
        "win_rate",
        "launched",
        "pipeline",
    }
    assert data["recorded"] == 5


def test_refresh_missing_path(ws: Path, capsys) -> None:
    code, _, err = run(capsys, "metrics", "refresh", "nowhere.xlsx")
    assert code == 2 and "nowhere.xlsx: no such file or folder" in err
