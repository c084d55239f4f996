"""``okr nightly`` runs the whole night with the worst exit code; ``okr schedule`` schedules it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from sync.cli import cli, main
from tests.conftest import ROOT
from tests.orgbuild import clean_rows, make_org, org_rows, write_config


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)


def test_nightly_checks_and_consolidates_and_exits_0_on_clean_data(tmp_path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    config = write_config(tmp_path, store_url)
    result = invoke("nightly", "--config", str(config), "--as-of", "2026-11-01")
    assert result.return_value == 0, result.output
    assert "refresh: no [metrics]" in result.stdout
    assert "0 error(s)" in result.stdout and "Consolidated 4 workbook(s)" in result.stdout
    assert (tmp_path / "out" / "company.xlsx").exists()


def test_nightly_exits_1_on_data_errors_and_still_writes(tmp_path, store_url):
    make_org(tmp_path / "departments", org_rows())
    config = write_config(tmp_path, store_url)
    assert main(["nightly", "--config", str(config), "--as-of", "2026-11-01"]) == 1
    assert (tmp_path / "out" / "company.xlsx").exists()


def test_nightly_takes_the_worst_exit_code_and_runs_every_step(tmp_path):
    make_org(tmp_path / "departments", org_rows())  # data errors: 1
    config = write_config(tmp_path, "postgresql://postgres@127.0.0.1:1/nowhere")  # store: 3
    done = subprocess.run(
        [sys.executable, "-m", "sync.cli", "nightly", "--config", str(config)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3
    assert "error(s)" in done.stdout  # the check ran and reported
    assert "okr nightly: consolidate: cannot" in done.stderr and "Traceback" not in done.stderr


def test_schedule_without_okr_toml_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["schedule"]) == 2


def test_the_printed_cron_line_runs_with_a_postgresql_store(tmp_path, postgres_url):
    make_org(tmp_path / "departments", clean_rows())
    config = write_config(tmp_path, postgres_url)
    text = invoke("schedule", "--config", str(config), "--format", "cron").stdout
    line = next(ln for ln in text.splitlines() if ln and not ln.startswith("#"))
    command = line.split(" ", 5)[5]  # what cron runs, after the five time fields
    done = subprocess.run(
        ["sh", "-c", command],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},  # cron's bare environment
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    log = tmp_path / ".okr" / "nightly.log"
    assert "Consolidated 4 workbook(s)" in log.read_text(encoding="utf-8")
    assert (tmp_path / "out" / "company.xlsx").exists()


def test_schedule_units_fail_on_operational_errors(tmp_path, store_url):
    config = write_config(tmp_path, store_url)
    text = invoke("schedule", "--config", str(config), "--format", "systemd").stdout
    assert "ExecStart=" in text and " nightly --config " in text
    assert "SuccessExitStatus=1\n" in text and "SuccessExitStatus=1 3" not in text
    assert Path("/etc/systemd/system/okr-nightly.timer").name in text


def test_nightly_writes_the_company_workbook_in_the_language_asked(tmp_path, store_url):
    from python_calamine import CalamineWorkbook

    make_org(tmp_path / "departments", clean_rows())
    config = write_config(tmp_path, store_url)
    args = ("--config", str(config), "--as-of", "2026-11-01", "--lang", "zh-CN")
    assert invoke("nightly", *args).return_value == 0
    book = CalamineWorkbook.from_path(str(tmp_path / "out" / "company.xlsx"))
    assert book.sheet_names[:2] == ["仪表板", "公司"]
