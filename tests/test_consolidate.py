"""``okr consolidate`` end to end over real workbooks, on SQLite and PostgreSQL stores."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sync.cli import cli
from sync.consolidate.run import consolidate
from sync.run_records import FAILED, FRESH, STALE
from sync.sources.base import SourceRead, parse
from sync.sources.folder import FolderSource
from sync.store import history as run_history
from sync.store.engine import open_store
from tests.conftest import DATA
from tests.okrdata import kr, obj
from tests.orgbuild import clean_rows, make_org, org_rows, workspace, write_config, write_workbook

D1, D2, D3 = date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15)
#: every broken upload the tests know: the check's broken workbooks and a few more odd ones
BROKEN = sorted([*(DATA / "broken").glob("*.xlsx"), *(DATA / "consolidate").glob("*.xlsx")])


def sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(path).get_sheet_by_name(name).to_python()


def table_of(path: Path, name: str) -> list[dict]:
    """Rows under the header (row 3) of a report sheet, as dicts."""
    rows = sheet(path, name)
    header = rows[2]
    return [dict(zip(header, r, strict=False)) for r in rows[3:]]


@pytest.fixture
def org(tmp_path, store_url):
    make_org(tmp_path / "departments")
    return workspace(tmp_path, store_url)


def test_a_run_writes_the_workbook_and_records_itself(org):
    result = consolidate(org, as_of=D1)
    assert result.output == (org.root / "out" / "company.xlsx").resolve()
    assert [s.name for s in result.workbooks] == [
        "company.xlsx",
        "emea.xlsx",
        "ops.xlsx",
        "sales.xlsx",
    ]
    assert all(s.state == FRESH and len(s.digest) == 64 for s in result.workbooks)
    assert (result.rows, result.errors, result.warnings) == (18, 1, 1)
    assert result.exit_code == 1  # OPS-O2 names a parent that exists nowhere
    assert "4 workbook(s)" in result.summary() and "1 error(s)" in result.summary()
    engine = open_store(org.store_url)
    try:
        (info,) = run_history.list_runs(engine)
        assert (info.as_of, info.workbooks, info.errors, info.warnings) == (D1, 4, 1, 1)
        assert len(run_history.nodes_by_id(engine, info.id)) == 18
        assert versions_kept(engine) == 4
    finally:
        engine.dispose()


def test_a_broken_workbook_falls_back_to_its_last_good_version_marked_stale(org):
    consolidate(org, as_of=D1)
    sales = org.root / "departments" / "sales.xlsx"
    sales.write_bytes(b"PK\x03\x04 this is not a workbook any more")
    result = consolidate(org, as_of=D2)
    states = {s.name: s for s in result.workbooks}
    assert states["sales.xlsx"].state == STALE
    assert states["sales.xlsx"].since == D1 and "damaged" in states["sales.xlsx"].error
    assert result.rows == 18  # nothing dropped: the Sales rows come from the stored version
    out = result.output
    company = {r["ID"]: r for r in table_of(out, "Company")}
    assert company["SALES-O1"]["Workbook state"] == "stale since 2026-11-01"
    assert company["CO-O1"]["Workbook state"] == ""  # blank: fresh
    banner = sheet(out, "Sales")[1][0]
    assert banner.startswith("STALE: sales.xlsx: is damaged") and "2026-11-01" in banner
    problems = table_of(out, "Problems")
    unreadable = [p for p in problems if p["Code"] == "unreadable"]
    assert unreadable[0]["Workbook"] == "sales.xlsx" and unreadable[0]["Severity"] == "error"
    assert "showing the version last read on 2026-11-01" in unreadable[0]["Message"]
    assert {p["Workbook state"] for p in problems if p["Workbook"] == "sales.xlsx"} == {
        "stale since 2026-11-01"
    }
    dashboard = sheet(out, "Dashboard")
    assert dashboard[6][:2] == ["Stale or failed", "sales.xlsx"]
    assert {r["ID"]: r["Workbook state"] for r in table_of(out, "Trend")}["SALES-O1"].startswith(
        "stale"
    )
    assert result.exit_code == 1


def test_a_missing_workbook_is_reported_and_shown_stale_until_forgotten(org):
    consolidate(org, as_of=D1)
    (org.root / "departments" / "emea.xlsx").unlink()
    result = consolidate(org, as_of=D2)
    state = {s.name: s for s in result.workbooks}["emea.xlsx"]
    assert state.state == STALE and "missing from source departments" in state.error
    assert "EMEA-O1" in {r["ID"] for r in table_of(result.output, "Company")}
    forgotten = consolidate(org, as_of=D3, forget=["emea.xlsx"])
    assert "emea.xlsx" not in {s.name for s in forgotten.workbooks}
    assert "EMEA-O1" not in {r["ID"] for r in table_of(forgotten.output, "Company")}
    removed = [r for r in table_of(forgotten.output, "Changes") if r["Change"] == "removed"]
    assert {r["ID"] for r in removed} == {"EMEA-O1", "EMEA-KR1.1"}


def test_a_source_folder_that_vanished_keeps_every_department_stale(org):
    consolidate(org, as_of=D1)
    (org.root / "departments").rename(org.root / "elsewhere")
    result = consolidate(org, as_of=D2)
    assert {s.state for s in result.workbooks} == {STALE}
    assert result.rows == 18
    messages = [p.message for p in result.problems if p.code == "unreadable"]
    assert any("folder" in m and "does not exist" in m for m in messages)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_an_unreadable_workbook_with_no_history_fails_alone(org, path):
    bad = path.name
    (org.root / "departments" / bad).write_bytes(path.read_bytes())
    result = consolidate(org, as_of=D1)
    state = {s.name: s for s in result.workbooks}[bad]
    assert state.state == FAILED and state.error.startswith(bad)
    assert sum(s.state == FRESH for s in result.workbooks) == 4
    assert result.rows == 18
    assert bad not in CalamineWorkbook.from_path(result.output).sheet_names
    problem = next(p for p in result.problems if p.workbook == bad)
    assert problem.code == "unreadable" and "no earlier good version" in problem.message


def test_nothing_a_department_sent_is_lost(org):
    rows = org_rows()
    consolidate(org, as_of=D1)
    rows["sales.xlsx"][1]["current"] = 70
    write_workbook(org.root / "departments" / "sales.xlsx", rows["sales.xlsx"])
    consolidate(org, as_of=D2)
    engine = open_store(org.store_url)
    try:
        assert versions_kept(engine) == 5  # 4 first versions + the new Sales one
        kept = run_history.last_good(engine, ["sales.xlsx"])["sales.xlsx"]
        assert kept.data == (org.root / "departments" / "sales.xlsx").read_bytes()
    finally:
        engine.dispose()


def test_a_run_is_idempotent(org):
    first = consolidate(org, as_of=D2)
    a = {n: sheet(first.output, n) for n in CalamineWorkbook.from_path(first.output).sheet_names}
    second = consolidate(org, as_of=D2)
    b = {n: sheet(second.output, n) for n in CalamineWorkbook.from_path(second.output).sheet_names}
    a["Dashboard"][4] = b["Dashboard"][4] = ["Run started"]  # the clock time, and only it
    assert a == b
    engine = open_store(org.store_url)
    try:
        assert [r.as_of for r in run_history.list_runs(engine)] == [D2]
    finally:
        engine.dispose()


def test_changes_between_two_runs(org):
    consolidate(org, as_of=D1)
    rows = org_rows()
    rows["sales.xlsx"][1]["current"] = 95  # SALES-KR1.1 .60 -> .95
    rows["sales.xlsx"][3]["parent"] = "CO-O2"  # SALES-O2 re-parented
    rows["sales.xlsx"][4]["notes"] = "daily QBRs"  # SALES-KR2.1's corrective action
    rows["sales.xlsx"].append(obj("SALES-O4", "CO-O2", title="Win back lost accounts"))
    rows["emea.xlsx"] = rows["emea.xlsx"][:1]  # EMEA-KR1.1 removed
    make_org(org.root / "departments", rows)
    result = consolidate(org, as_of=D2)
    got = {(r["Change"], r["ID"]) for r in table_of(result.output, "Changes")}
    assert {
        ("progress", "SALES-KR1.1"),
        ("re-parented", "SALES-O2"),
        ("notes", "SALES-KR2.1"),
        ("added", "SALES-O4"),
        ("removed", "EMEA-KR1.1"),
    } <= got
    assert (
        sheet(result.output, "Changes")[0][0]
        == f"{result.changes} change(s) since the run of 2026-11-01"
    )
    moved = next(r for r in table_of(result.output, "Changes") if r["ID"] == "SALES-KR1.1")
    assert (moved["Before"], moved["After"]) == (pytest.approx(0.6), pytest.approx(0.95))
    assert moved["Title"] == "Key result SALES-KR1.1"
    # A row that is gone is named by the title the previous run recorded.
    gone = next(r for r in table_of(result.output, "Changes") if r["ID"] == "EMEA-KR1.1")
    assert gone["Title"] == "Key result EMEA-KR1.1"


def test_trend_shows_progress_per_run_and_marks_where_the_action_changed(org):
    rows = org_rows()
    for day, current, notes in (
        (D1, 60, "weekly QBRs"),
        (D2, 60, "daily QBRs"),
        (D3, 90, "daily QBRs"),
    ):
        rows["sales.xlsx"][4]["current"] = current  # SALES-KR2.1, the only KR of SALES-O2
        rows["sales.xlsx"][4]["notes"] = notes
        make_org(org.root / "departments", rows)
        result = consolidate(org, as_of=day)
    trend = sheet(result.output, "Trend")
    header = trend[2]
    assert header[4:7] == ["2026-11-01", "2026-11-08", "2026-11-15"]
    row = next(r for r in trend[3:] if r[0] == "SALES-O2")
    assert row[4:7] == [pytest.approx(0.6), pytest.approx(0.6), pytest.approx(0.9)]
    assert row[header.index("Notes changed on")] == "2026-11-08"
    assert {r[0] for r in trend[3:]} == {
        "CO-O1", "CO-O2", "SALES-O1", "SALES-O2", "SALES-O3", "OPS-O1", "OPS-O2", "EMEA-O1",
    }  # fmt: skip


def test_dated_copies_are_kept_up_to_the_retention(tmp_path, store_url):
    make_org(tmp_path / "departments")
    ws = workspace(tmp_path, store_url, keep=2)
    results = [consolidate(ws, as_of=date(2026, 11, d)) for d in (1, 2, 3, 4)]
    copies = sorted(p.name for p in (tmp_path / "out" / "company-copies").iterdir())
    assert copies == ["company-2026-11-02.xlsx", "company-2026-11-03.xlsx"]
    assert results[-1].copy.name == "company-2026-11-03.xlsx"
    assert sheet(tmp_path / "out" / "company-copies" / copies[-1], "Dashboard")[0][0].endswith(
        "2026-11-03"
    )


def test_no_copies_when_retention_is_zero(tmp_path, store_url):
    make_org(tmp_path / "departments")
    ws = workspace(tmp_path, store_url, keep=0)
    consolidate(ws, as_of=D1)
    assert consolidate(ws, as_of=D2).copy is None
    assert not (tmp_path / "out" / "company-copies").exists()


def test_a_pilot_in_one_department_works(tmp_path, store_url):
    make_org(tmp_path / "departments", {"sales.xlsx": [obj("S-O1"), kr("S-KR1", "S-O1")]})
    result = consolidate(workspace(tmp_path, store_url), as_of=D1)
    assert result.exit_code == 0  # an orphan warning, no error
    ids = [r["ID"] for r in table_of(result.output, "Company")]
    assert ids == ["Unaligned", "S-O1", "S-KR1"]


def test_the_output_and_its_copies_are_never_read_as_departments(tmp_path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    data = {
        "store": {"url": store_url},
        "sources": [{"kind": "folder", "path": "departments", "glob": "**/*.xlsx"}],
        "output": {"path": "departments/company-okrs.xlsx"},
    }
    from sync.config import parse_config

    ws = parse_config(data, tmp_path)
    for d in (D1, D2, D3):
        result = consolidate(ws, as_of=d)
    assert len(result.workbooks) == 4


def test_a_custom_source_plugs_in(tmp_path, store_url):
    class Memory:
        name = "memory"

        def read(self, progress=None):
            from tests.orgbuild import write_workbook as write

            path = write(tmp_path / "m.xlsx", [obj("M-O1"), kr("M-KR1", "M-O1")])
            return [
                parse(self.name, "sheets/m", path.read_bytes()),
                SourceRead(self.name, "bad", error="bad: HTTP 500"),
            ]

    result = consolidate(workspace(tmp_path, store_url), as_of=D1, sources=[Memory()])
    assert {(s.name, s.state) for s in result.workbooks} == {("sheets/m", FRESH), ("bad", FAILED)}


def test_folder_source_reads_folders_globs_and_single_files(tmp_path):
    make_org(tmp_path / "a")
    write_workbook(tmp_path / "a" / "team" / "t.xlsx", [obj("T-O1")])
    (tmp_path / "a" / "~$sales.xlsx").write_bytes(b"lock")
    assert [r.name for r in FolderSource(tmp_path / "a").read()] == [
        "company.xlsx", "emea.xlsx", "ops.xlsx", "sales.xlsx",
    ]  # fmt: skip
    assert "team/t.xlsx" in [r.name for r in FolderSource(tmp_path / "a", "**/*.xlsx").read()]
    assert [r.name for r in FolderSource(tmp_path / "a" / "*" / "t.xlsx").read()] == ["team/t.xlsx"]
    assert [r.name for r in FolderSource(tmp_path / "a" / "ops.xlsx").read()] == ["ops.xlsx"]


# ---------------------------------------------------------------------------
# the command line


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, standalone_mode=False)


def test_cli_exit_0_with_warnings_and_a_summary(tmp_path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    config = write_config(tmp_path, store_url)
    result = invoke("consolidate", "--config", str(config), "--as-of", "2026-11-01")
    assert result.return_value == 0
    assert result.output.startswith("Consolidated 4 workbook(s) of Test Org as of 2026-11-01")
    assert "0 error(s), 1 warning(s)" in result.output
    assert "\x1b[" not in result.output  # no progress bar when not on a terminal


def test_cli_exit_1_on_data_errors_and_quiet_prints_one_line(tmp_path, store_url):
    make_org(tmp_path / "departments")
    config = write_config(tmp_path, store_url)
    result = invoke("consolidate", "--config", str(config), "--quiet")
    assert result.return_value == 1
    assert result.stdout == ""
    assert result.stderr.startswith("okr: 1 error(s) in the data; see the Problems sheet of ")


def test_cli_json_report(tmp_path, store_url):
    make_org(tmp_path / "departments")
    config = write_config(tmp_path, store_url)
    out = tmp_path / "elsewhere" / "c.xlsx"
    result = invoke(
        "consolidate", "--config", str(config), "--format", "json", "--output", str(out)
    )
    data = json.loads(result.stdout)
    assert data["output"] == str(out.resolve()) and out.exists()
    assert data["errors"] == 1 and [w["state"] for w in data["workbooks"]] == [FRESH] * 4
    assert data["problems"][0]["code"] in ("unknown-parent", "orphan")


def test_cli_exit_2_on_a_bad_config(tmp_path):
    from sync.cli import main

    bad = tmp_path / "okr.toml"
    bad.write_text("[[sources]]\nkind = 'carrier-pigeon'\n", encoding="utf-8")
    assert main(["consolidate", "--config", str(bad)]) == 2
    assert main(["consolidate", "--config", str(tmp_path / "missing.toml")]) == 2


def test_schedule_prints_cron_and_systemd(tmp_path, store_url):
    config = write_config(tmp_path, store_url)
    result = invoke("schedule", "--config", str(config), "--at", "03:15")
    text = result.stdout
    assert result.return_value == 0
    assert f"15 3 * * * cd {tmp_path} && mkdir -p {tmp_path / '.okr'} && " in text
    assert f"nightly --config {config} >> {tmp_path / '.okr' / 'nightly.log'} 2>&1" in text
    assert "[Service]\nType=oneshot" in text and "OnCalendar=*-*-* 03:15:00" in text
    assert "WantedBy=timers.target" in text
    only_cron = invoke("schedule", "--config", str(config), "--format", "cron").stdout
    assert "[Timer]" not in only_cron and "* * *" in only_cron


def test_progress_is_reported_per_workbook_and_nothing_printed(org, capsys):
    calls = []
    consolidate(org, as_of=D1, progress=lambda *a: calls.append(a))
    assert ("read departments", 4, 4) in calls
    assert [c[0] for c in calls][-4:] == ["check", "check", "write", "write"]
    consolidate(org, as_of=D2)
    assert capsys.readouterr() == ("", "")


def test_a_dry_run_records_nothing_and_writes_only_the_given_output(org, tmp_path, store_url):
    consolidate(org, as_of=D1)
    output = tmp_path / "out" / "company.xlsx"
    before = output.read_bytes()
    trial = tmp_path / "trial" / "x.xlsx"
    trial.parent.mkdir()
    result = consolidate(org, as_of=D2, output=trial, dry_run=True)
    assert result.run_id is None and result.dry_run and result.output == trial.resolve()
    assert result.previous == D1  # it read the past ...
    assert "Dry run: recorded nothing" in result.summary()
    assert sheet(trial, "Dashboard")[0][0].endswith("2026-11-08")
    assert output.read_bytes() == before  # ... and changed neither the output,
    assert not (tmp_path / "out" / "company-copies").exists()  # nor made a copy,
    assert sorted(p.name for p in trial.parent.iterdir()) == ["x.xlsx"]
    engine = open_store(store_url)
    try:
        assert [r.as_of for r in run_history.list_runs(engine)] == [D1]  # nor the history
    finally:
        engine.dispose()
    nothing = consolidate(org, as_of=D2, dry_run=True)
    assert nothing.output is None and "Wrote no workbook" in nothing.summary()


def test_a_dry_run_on_a_fresh_workspace_creates_no_store(tmp_path):
    make_org(tmp_path / "departments")
    db = tmp_path / ".okr" / "okr.db"
    result = consolidate(workspace(tmp_path, f"sqlite:///{db}"), as_of=D1, dry_run=True)
    assert result.rows > 0 and result.previous is None
    assert not db.exists() and not (tmp_path / "out").exists()


def test_cli_dry_run(tmp_path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    config = write_config(tmp_path, store_url)
    out = tmp_path / "trial.xlsx"
    result = invoke("consolidate", "--config", str(config), "--dry-run", "--output", str(out))
    assert result.return_value == 0 and out.exists()
    assert "Dry run: recorded nothing" in result.stdout


def test_copies_are_named_by_their_run_date_also_after_the_workspace_moved(tmp_path):
    first = tmp_path / "first"
    make_org(first / "departments")
    db = tmp_path / "okr.db"  # the store stays; the workspace folder moves
    consolidate(workspace(first, f"sqlite:///{db}"), as_of=date(2026, 11, 16))
    moved = tmp_path / "moved"
    first.rename(moved)
    result = consolidate(workspace(moved, f"sqlite:///{db}"), as_of=date(2026, 12, 2))
    assert result.copy.name == "company-2026-11-16.xlsx"


def test_a_run_killed_after_recording_is_completed_by_the_next(org, tmp_path, store_url):
    from sync.consolidate import outputs
    from sync.consolidate.run import resolve_pending
    from sync.store import runs as run_store

    consolidate(org, as_of=D1)
    output = tmp_path / "out" / "company.xlsx"
    # What a run killed between its commit and its rename leaves: a pending run
    # and its written workbook beside the output.
    outcome = consolidate(org, as_of=D2, output=tmp_path / "side.xlsx", dry_run=True)
    tmp = output.with_name(".company.xlsx.999.tmp")
    (tmp_path / "side.xlsx").rename(tmp)
    engine = open_store(store_url)
    try:
        from sync.run_records import RunRecord

        record = RunRecord(D2, outcome_time(), outcome_time(), "Test Org", str(output),
                           outcome.workbooks, (), outcome.problems)  # fmt: skip
        run_id = run_store.record_run(
            engine, record, pending=(str(output), str(tmp), outputs.stamp(tmp))
        )
        assert [r.as_of for r in run_history.list_runs(engine)] == [D1]  # pending: not history
        assert resolve_pending(engine) == [run_id]
        assert [r.as_of for r in run_history.list_runs(engine)] == [D1, D2]
        assert outputs.workbook_date(output) == D2 and not tmp.exists()
        assert (tmp_path / "out" / "company-copies" / "company-2026-11-01.xlsx").exists()
        # A pending run whose workbook is gone is taken back.
        run_store.record_run(engine, record, pending=(str(output), str(tmp), "1:2:3"))
        resolve_pending(engine)
        assert [r.as_of for r in run_history.list_runs(engine)] == [D1]
    finally:
        engine.dispose()


def outcome_time():
    from datetime import datetime

    return datetime(2026, 11, 8, 2, 30)


def versions_kept(engine) -> int:
    """How many workbook versions the store keeps."""
    from sqlalchemy import func, select

    from sync.store.schema import source_versions

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(source_versions)).scalar_one())


def test_organisation_lang_and_the_lang_option_pick_the_workbooks_language(tmp_path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    config = write_config(tmp_path, store_url)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'name = "Test Org"', 'name = "Test Org"\nlang = "zh-CN"'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out" / "company.xlsx"
    assert invoke("consolidate", "--config", str(config), "--as-of", "2026-11-01").return_value == 0
    names = CalamineWorkbook.from_path(str(out)).sheet_names
    assert names[:3] == ["仪表板", "公司", "问题"]
    args = ("--config", str(config), "--as-of", "2026-11-02", "--lang", "en")
    assert invoke("consolidate", *args).return_value == 0
    assert CalamineWorkbook.from_path(str(out)).sheet_names[:3] == [
        "Dashboard",
        "Company",
        "Problems",
    ]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_json_report_is_printed_as_json_dumps_prints_it(capsys, count: int) -> None:
    from sync.cli.consolidate import echo_json

    items = [{"code": f"c{n}", "message": f"line\nbreak é {n}", "n": n} for n in range(count)]
    payload = {"run_id": 1, "problems": [], "workbooks": [{"name": "a"}], "google_sheet": None}
    echo_json(payload, "problems", iter(items))
    want = json.dumps({**payload, "problems": items}, ensure_ascii=False, indent=2) + "\n"
    assert capsys.readouterr().out == want
