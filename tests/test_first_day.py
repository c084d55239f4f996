"""What a new user meets on the first day, one behaviour each."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
from click.testing import CliRunner

from sync.cli import cli
from sync.consolidate.run import consolidate
from tests.okrdata import kr, obj
from tests.orgbuild import make_org, workspace, write_workbook


def test_parents_may_be_the_company_workbook(tmp_path):
    make_org(tmp_path / "departments")
    result = consolidate(
        workspace(tmp_path, f"sqlite:///{tmp_path / 'okr.db'}"), as_of=date(2026, 11, 1)
    )
    team = write_workbook(
        tmp_path / "team.xlsx", [obj("TEAM-O1", "SALES-O1"), kr("TEAM-KR1", "TEAM-O1")]
    )
    run = CliRunner().invoke(
        cli,
        ["check", str(team), "--parents", str(result.output), "--format", "json"],
        standalone_mode=False,
    )
    problems = json.loads(run.output)["problems"]
    assert not [p for p in problems if p["code"] == "unknown-parent"]
    assert run.return_value == 0


def test_a_template_given_as_parents_says_what_to_pass(tmp_path):
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Plan"
    wb.save(plain)
    team = write_workbook(tmp_path / "team.xlsx", [obj("TEAM-O1", "SALES-O1")])
    run = CliRunner().invoke(cli, ["check", str(team), "--parents", str(plain)])
    assert run.exit_code == 2
    assert "a company workbook (with its Company sheet) works too" in run.output


def test_two_files_with_one_name_are_named_by_their_paths(tmp_path):
    a = write_workbook(tmp_path / "a" / "okr.xlsx", [obj("A-O1", "CO-X")])
    b = write_workbook(tmp_path / "b" / "okr.xlsx", [obj("B-O1", "CO-Y")])
    run = CliRunner().invoke(cli, ["check", str(a), str(b), "--format", "json"])
    workbooks = {p["workbook"] for p in json.loads(run.output)["problems"]}
    assert workbooks == {a.as_posix(), b.as_posix()}


def test_init_writes_a_workspace_the_next_commands_work_in(tmp_path, monkeypatch):
    runner = CliRunner()
    made = runner.invoke(cli, ["init", str(tmp_path / "ws"), "--name", "Acme"])
    assert made.exit_code == 0, made.output
    assert "okr check departments/" in made.output and "okr consolidate" in made.output
    ws = tmp_path / "ws"
    assert 'name = "Acme"' in (ws / "okr.toml").read_text()
    assert (ws / "departments").is_dir() and (ws / "okr_template.xlsx").is_file()
    write_workbook(
        ws / "departments" / "co.xlsx",
        [obj("CO-O1", "", department="Company"), kr("CO-KR1", "CO-O1")],
    )
    monkeypatch.chdir(ws)
    check_run = runner.invoke(cli, ["check", "departments/"], standalone_mode=False)
    assert check_run.return_value == 0, check_run.output
    run = runner.invoke(cli, ["consolidate", "--quiet"], standalone_mode=False)
    assert run.return_value == 0, run.output
    assert (ws / "company.xlsx").is_file()
    again = runner.invoke(cli, ["init", str(ws)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_without_okr_toml_consolidate_points_to_init(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(cli, ["consolidate", "--quiet"])
    assert run.exit_code == 2 and "run 'okr init'" in run.output


def test_a_blank_or_twice_spelt_department_warns_at_its_cell():
    from okr.cascade import check
    from okr.reading import read_table
    from tests.okrdata import grid

    rows = [
        obj("CS-O1", "CO-O1", department="Customer Success"),
        kr("CS-KR1", "CS-O1", department="Customer Success"),
        kr("CS-KR2", "CS-O1", department="CS"),
        kr("CS-KR3", "CS-O1", department=""),
        obj("CS-O2", "CO-O1", department="Onboarding team"),  # a team of its own: fine
    ]
    items = list(read_table(grid(rows), "cs.xlsx", "OKRs").items)
    found = {
        (p.id, p.cell) for p in check(items, today=date(2026, 11, 1)) if p.code == "department"
    }
    assert found == {("CS-KR2", "F4"), ("CS-KR3", "F5")}
    named = check(items, today=date(2026, 11, 1), departments={"OPS": "Operations"})
    assert "[departments]" in next(p.message for p in named if p.id == "CS-KR3")


def test_departments_are_named_in_the_company_workbook(tmp_path):
    from sync.config import parse_config

    write_workbook(
        tmp_path / "departments" / "customer-success_okr_v3_FINAL.xlsx",
        [obj("CS-O1", "", department="Company"), kr("CS-KR1", "CS-O1", department="Company")],
    )
    write_workbook(
        tmp_path / "departments" / "cs.xlsx",
        [obj("CS-O2", "CS-O1", department="CS"), kr("CS-KR2", "CS-O2", department="CS")],
    )
    ws = parse_config(
        {
            "departments": {"CS": {"name": "Customer Success"}},
            "store": {"url": f"sqlite:///{tmp_path / 'okr.db'}"},
            "sources": [{"kind": "folder", "path": "departments"}],
            "output": {"path": "company.xlsx"},
        },
        tmp_path,
    )
    assert ws.departments == {"CS": "Customer Success"}
    out = consolidate(ws, as_of=date(2026, 11, 1)).output
    assert "Customer Success" in openpyxl.load_workbook(out).sheetnames
    book = openpyxl.load_workbook(out)
    # a Department cell holding the code reads as the name in every sheet that lists rows
    for sheet in ("Company", "Metrics", "Trend", "History", "Dashboard", "Problems"):
        texts = {str(c.value) for row in book[sheet].iter_rows() for c in row if c.value}
        assert "CS" not in texts, sheet
    company = {str(c.value) for row in book["Company"].iter_rows() for c in row if c.value}
    assert "Customer Success" in company
    dashboard = {str(c.value) for row in book["Dashboard"].iter_rows() for c in row if c.value}
    assert "Customer Success" in dashboard  # the per-department table the charts draw from
    from sqlalchemy import select

    from sync.store.engine import open_store
    from sync.store.schema import run_nodes

    engine = open_store(ws.store_url)
    try:
        stored = {r.department for r in engine.connect().execute(select(run_nodes))}
    finally:
        engine.dispose()
    assert "CS" not in stored and "Customer Success" in stored  # what the service dashboard shows
