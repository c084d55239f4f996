"""Every hostile or foreign workbook of tests/data/hostile gets its documented outcome.

Each file goes through the real ``okr`` command in a child process under a
2 GB address-space limit and a 60 s timeout: alone, beside good workbooks,
and in a consolidation whose output openpyxl must load. Beside the generated
files sit real ones written by other programs (third_party/, see its SOURCES).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from tests.conftest import ROOT
from tests.data.hostile.make_hostile import CASES, Case, build
from tests.orgbuild import make_org, write_config

LIMIT_BYTES = 2 * 1024**3
TIMEOUT = 60
THIRD_PARTY = Path(__file__).parent / "data" / "hostile" / "third_party"
NO_OKRS = "has no sheet named OKRs"


def _copied(name: str) -> Callable[[Path], None]:
    return lambda path: shutil.copyfile(THIRD_PARTY / name, path)


#: Real files from other programs and their documented outcome (exit 2, one line).
FOREIGN: tuple[Case, ...] = (
    *(
        Case(name, _copied(name), "unreadable", NO_OKRS)
        for name in (
            "complex_hidden_sheets.xlsx",
            "datetime.xlsx",
            "formatted_inline_string.xlsx",
            "hidden_sheets.xlsx",
            "hyperlinks.xlsm",
            "junk-small.xlsx",
            "merged-cell-sheet.xlsx",
            "namespace.xlsx",
            "no_cell_ids.xlsx",
            "pyexcel_issue_151.xlsx",
            "sheets_order.xlsx",
            "utf8.xlsx",
        )
    ),
    Case("date_field.xls", _copied("date_field.xls"), "unreadable", "old .xls workbook"),
    Case("ods_formats.ods", _copied("ods_formats.ods"), "unreadable", "OpenDocument spreadsheet"),
)
ALL = (*CASES, *FOREIGN)
UNREADABLE = [c for c in ALL if c.outcome == "unreadable"]
CHECKED = [c for c in ALL if c.outcome == "checked"]
#: What a folder source reads (its glob is *.xlsx); the others are not department workbooks.
IN_FOLDER = [c for c in UNREADABLE if c.name.endswith(".xlsx")]


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def okr(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``okr ARGS`` in a child process under the memory and time bound."""
    return subprocess.run(
        [sys.executable, "-m", "sync.cli", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every hostile file, built fresh (some are not files, one is large), and the foreign ones."""
    folder = tmp_path_factory.mktemp("hostile")
    built = build(folder)
    for case in FOREIGN:
        case.build(folder / case.name)
        built[case.name] = folder / case.name
    return built


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of good department workbooks."""
    return make_org(tmp_path_factory.mktemp("good"))


def _assert_one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("okr: ")
    return lines[0]


def _problems(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)["problems"]


@pytest.mark.parametrize("case", UNREADABLE, ids=lambda c: c.name)
def test_an_unreadable_file_alone_is_one_line_and_exit_2(corpus, case: Case):
    result = okr("check", str(corpus[case.name]))
    line = _assert_one_line(result)
    assert result.returncode == 2
    assert case.name in line and case.says in line
    assert result.stdout == ""


@pytest.mark.parametrize("case", CHECKED, ids=lambda c: c.name)
def test_a_foreign_file_alone_is_checked_with_its_problems(corpus, case: Case):
    result = okr("check", str(corpus[case.name]), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    problems = _problems(result)
    mine = [p for p in problems if p["workbook"] == case.name]
    assert case.codes <= {p["code"] for p in mine}
    assert "unreadable" not in {p["code"] for p in problems}
    if case.says:
        assert any(case.says in p["message"] or case.says in p["id"] for p in mine)


def test_every_file_beside_good_workbooks_gets_its_outcome_and_the_others_are_checked(corpus, good):
    files = [*sorted(good.glob("*.xlsx")), *corpus.values()]
    result = okr("check", *map(str, files), "--format", "json")
    assert result.returncode == 1
    problems = _problems(result)
    summary = json.loads(result.stdout)["summary"]
    assert summary["workbooks"] == len(files)
    assert summary["unreadable"] == len(UNREADABLE)
    unreadable = {p["workbook"]: p["message"] for p in problems if p["code"] == "unreadable"}
    for case in UNREADABLE:
        assert case.says in unreadable[case.name], case.name
    for case in CHECKED:
        codes = {p["code"] for p in problems if p["workbook"] == case.name}
        assert case.codes <= codes, case.name
    # The good organisation is still checked: its one known error is found.
    assert any(p["id"] == "OPS-O2" and p["code"] == "unknown-parent" for p in problems)


def test_a_folder_of_hostile_files_is_checked_and_what_is_not_a_workbook_is_reported(corpus):
    result = okr("check", str(next(iter(corpus.values())).parent), "--format", "json")
    problems = _problems(result)
    reported = {p["workbook"] for p in problems if p["code"] == "unreadable"}
    # The pipe, the device, the link loop and the folder named .xlsx are listed too.
    assert {c.name for c in IN_FOLDER} <= reported
    assert not {"hyperlinks.xlsm", "date_field.xls", "ods_formats.ods"} & reported


def test_printed_problems_escape_control_characters_and_stay_one_line_each(corpus):
    result = okr("check", str(corpus["control_characters.xlsx"]))
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[2J" in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "control_characters.xlsx"
    assert all(line.startswith("  ") for line in lines[1:-1])


def test_consolidating_every_hostile_file_beside_good_ones_writes_a_loadable_workbook(
    corpus, tmp_path
):
    departments = make_org(tmp_path / "departments")
    for name, path in corpus.items():
        target = departments / name
        if path.is_symlink():
            target.symlink_to(path.readlink())
        elif path.is_dir():
            target.mkdir()
        elif not path.is_file():
            os.mkfifo(target)
        else:
            target.write_bytes(path.read_bytes())
    write_config(tmp_path, f"sqlite:///{tmp_path / 'okr.db'}")
    result = okr("consolidate", "--format", "json", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    states = {w["name"]: w for w in json.loads(result.stdout)["workbooks"]}
    for case in IN_FOLDER:
        assert states[case.name]["state"] == "failed", case.name
        assert case.says in states[case.name]["error"], case.name
    for case in CHECKED:
        assert states[case.name]["state"] == "fresh", case.name
    output = tmp_path / "out" / "company.xlsx"
    with zipfile.ZipFile(output) as zf:  # every part well-formed, charts and links included
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(zf.read(name))
    book = openpyxl.load_workbook(output)
    company = book["Company"]
    ids = {row[0] for row in company.iter_rows(min_row=4, values_only=True)}
    assert {"CO-O1", "HX-O4999", "HY-O9999"} <= ids  # the deep chain and the loop are in
    assert all(len(name) <= 31 and not name.endswith("'") for name in book.sheetnames)


def test_every_third_party_file_is_small_sourced_licensed_and_has_an_outcome():
    sources = (THIRD_PARTY / "SOURCES").read_text(encoding="utf-8")
    rows = {
        line.split(" | ")[0]: line.split(" | ")
        for line in sources.splitlines()
        if line.count(" | ") == 4
    }
    files = {p.name for p in THIRD_PARTY.iterdir() if p.is_file() and p.name != "SOURCES"}
    assert files == set(rows) - {"file"} == {c.name for c in FOREIGN}
    for name in files:
        assert (THIRD_PARTY / name).stat().st_size < 100_000, name
        licence = rows[name][3]
        assert licence.startswith(("MIT", "BSD", "Apache")), name
        assert (THIRD_PARTY / licence.split("(")[1].rstrip(")")).is_file(), name
