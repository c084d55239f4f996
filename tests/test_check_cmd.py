"""``okr check``: exit codes, one-line messages for bad input, text and JSON reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from okr.schema import KEYS, header_texts
from sync.cli import main
from tests.conftest import DATA, ROOT
from tests.okrdata import kr, obj

BROKEN = sorted((DATA / "broken").glob("*.xlsx"))
EXPECTED_REASON = {
    "encrypted.xlsx": "password-protected",
    "missing_headers.xlsx": "lacks the column(s) Parent",
    "no_okrs_sheet.xlsx": "has no sheet named OKRs",
    "not_a_workbook.xlsx": "is not an .xlsx workbook",
    "truncated.xlsx": "is damaged",
    "zip_bomb.xlsx": "would expand to 300 MB",
}


def write_book(path: Path, rows: list[dict]) -> Path:
    """A department workbook with the template's headers and *rows*."""
    wb = Workbook()
    ws = wb.active
    ws.title = "OKRs"
    ws.append(header_texts("en"))
    for row in rows:
        ws.append([row.get(k) if row.get(k) != "" else None for k in KEYS])
    wb.save(path)
    return path


@pytest.fixture
def org(tmp_path: Path) -> dict[str, Path]:
    company = write_book(
        tmp_path / "company.xlsx",
        [obj("CO-O1", department="Company", period="2026"), kr("CO-KR1", "CO-O1", period="2026")],
    )
    sales = write_book(tmp_path / "sales.xlsx", [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1")])
    bad = write_book(tmp_path / "ops.xlsx", [obj("OPS-O1", "CO-O7"), kr("OPS-KR1", "OPS-O1")])
    return {"company": company, "sales": sales, "ops": bad}


def test_every_broken_file_is_covered():
    assert {p.name for p in BROKEN} == set(EXPECTED_REASON)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_a_lone_unreadable_file_exits_2_with_one_line(path, capsys):
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"okr: {path.name}: ") and EXPECTED_REASON[path.name] in err


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_with_several_files_a_broken_one_is_a_problem_and_others_are_checked(path, org, capsys):
    code = main(["check", str(org["sales"]), str(path), "--parents", str(org["company"]),
                 "--format", "json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    unreadable = [p for p in report["problems"] if p["code"] == "unreadable"]
    assert [p["workbook"] for p in unreadable] == [path.name]
    assert report["summary"]["rows"] == 2 and report["summary"]["unreadable"] == 1


def test_clean_organisation_exits_0(org, capsys):
    assert main(["check", str(org["company"]), str(org["sales"])]) == 0
    out = capsys.readouterr().out
    assert "0 error(s)" in out


def test_errors_exit_1_and_json_has_the_documented_shape(org, capsys):
    code = main(["check", str(org["company"]), str(org["sales"]), str(org["ops"]), "--format",
                 "json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    p = next(p for p in report["problems"] if p["code"] == "unknown-parent")
    assert p == {
        "code": "unknown-parent",
        "severity": "error",
        "id": "OPS-O1",
        "workbook": "ops.xlsx",
        "sheet": "OKRs",
        "cell": "C2",
        "message": p["message"],
    }
    assert set(report["summary"]) >= {"workbooks", "rows", "errors", "warnings", "codes"}


def test_text_report_groups_by_workbook_with_cells(org, capsys):
    main(["check", str(org["ops"]), "--parents", str(org["company"])])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ops.xlsx"
    assert out[1].split()[:4] == ["OKRs!C2", "error", "unknown-parent", "OPS-O1"]


def test_parents_resolve_across_workbooks(org, capsys):
    assert main(["check", str(org["sales"]), "--parents", str(org["company"])]) == 0


def test_a_folder_stands_for_its_workbooks(org, capsys):
    main(["check", str(org["sales"].parent), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["summary"]["workbooks"] == 3


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["check"], "Missing argument"),
        (["check", "x.xlsx", "--format", "xml"], "Invalid value for '--format'"),
        (["nonsense"], "No such command"),
    ],
)
def test_bad_usage_exits_2(args, fragment, capsys):
    assert main(args) == 2
    assert fragment in capsys.readouterr().err


def test_bad_config_exits_2(org, tmp_path, capsys):
    cfg = tmp_path / "okr.toml"
    cfg.write_text("[settings]\nstale_dayz = 3\n")
    assert main(["check", str(org["sales"]), "--config", str(cfg)]) == 2
    assert "unknown key `stale_dayz` in [settings]; did you mean `stale_days`?" in (
        capsys.readouterr().err
    )


def test_console_script_never_prints_a_traceback(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\x00" * 10)
    out = subprocess.run(
        [sys.executable, "-m", "sync.cli", "check", str(junk)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert (
        out.stderr.strip()
        == "okr: junk.xlsx: is not an .xlsx workbook; save it as Excel Workbook (.xlsx)"
    )


def _without_read_rights() -> list[str]:
    """A command prefix under which file permissions bind (root reads everything)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot be enforced")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_a_file_without_read_permission_is_one_line_alone_and_a_problem_among_others(org):
    locked = org["sales"].with_name("locked.xlsx")
    locked.write_bytes(org["sales"].read_bytes())
    locked.chmod(0)
    okr = [*_without_read_rights(), sys.executable, "-m", "sync.cli", "check"]
    alone = subprocess.run([*okr, str(locked)], capture_output=True, text=True, cwd=ROOT)
    assert alone.returncode == 2
    assert alone.stderr == "okr: locked.xlsx: permission denied; make the file readable\n"
    among = subprocess.run(
        [*okr, str(org["company"]), str(locked), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert among.returncode == 1
    problems = json.loads(among.stdout)["problems"]
    assert [(p["code"], p["workbook"]) for p in problems] == [("unreadable", "locked.xlsx")]
