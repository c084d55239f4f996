"""``[[sources]] kind = "gsheet"``: department sheets read from Google Sheets (the stand-in).

Counted in API calls at the stand-in: one Drive listing per 1,000 files, one
``values:batchGet`` per changed sheet, nothing for a sheet Drive says did not
change; a sheet that fails falls back to its last good version, stale.
"""

# ruff: noqa: F811 - the fixtures are imported by name from tests.gsheets_fixtures
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sync.config import parse_config
from sync.consolidate.run import consolidate
from sync.run_records import FAILED, FRESH, STALE
from sync.sources import make_source
from tests.gsheets_fixtures import api, google_cfg, key_file_data, key_path, standin  # noqa: F401
from tests.gsheets_standin import GoogleStandin
from tests.okrdata import grid, kr, obj
from tests.orgbuild import org_rows, write_workbook

D1, D2, D3 = date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15)
FOLDER = "1FolderOfDepartmentSheets"
ALL_SHEETS = ("Company", "Problems", "Metrics", "Trend", "Changes")


def put_org(server: GoogleStandin, rows: dict[str, list[dict]], folder: str = FOLDER) -> dict:
    """Each department as a Google Sheet titled like its file; title -> spreadsheet."""
    books = {}
    for name, content in rows.items():
        book = server.new_book(name, [folder])
        server.put_sheet(book, "OKRs", grid(content))
        server.put_sheet(book, "Check-ins", [["Date", "Key result", "Value", "Confidence", "Note"]])
        books[name] = book
    return books


def gsheet_workspace(root: Path, store_url: str, key: Path, api_root: str, **source) -> object:
    """A workspace whose departments come from the Drive folder (plus any folder sources)."""
    sources = [{"kind": "gsheet", "folder_id": FOLDER, **source}]
    data = {
        "organisation": {"name": "Test Org"},
        "store": {"url": store_url},
        "sources": sources,
        "output": {"path": "out/company.xlsx"},
        "google": {"credentials": str(key), "api_root": api_root},
    }
    return parse_config(data, root)


def with_xlsx(ws, folder: str = "departments"):
    """The same workspace with a folder source of .xlsx added."""
    from dataclasses import replace

    from sync.config import Source

    return replace(ws, sources=(*ws.sources, Source("folder", folder)))


def cells(path: Path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.fixture
def org(tmp_path, standin, key_path):
    put_org(standin, org_rows())
    return gsheet_workspace(tmp_path, f"sqlite:///{tmp_path / 'okr.db'}", key_path, standin.url)


def test_a_first_night_costs_one_listing_and_one_read_per_sheet(org, standin):
    result = consolidate(org, as_of=D1)
    assert [s.name for s in result.workbooks] == [
        "company.xlsx",
        "emea.xlsx",
        "ops.xlsx",
        "sales.xlsx",
    ]
    assert all(s.state == FRESH for s in result.workbooks)
    assert (result.rows, result.errors, result.warnings) == (18, 1, 1)
    assert standin.counts() == {"files.list": 1, "values.batchGet": 4}


def test_a_second_night_reads_only_the_sheets_that_changed(org, standin):
    consolidate(org, as_of=D1)
    standin.calls.clear()
    consolidate(org, as_of=D2)
    assert standin.counts() == {"files.list": 1}
    sales = next(b for b in standin.books.values() if b.title == "sales.xlsx")
    rows = org_rows()["sales.xlsx"]
    rows[1]["current"] = 99
    standin.put_sheet(sales, "OKRs", grid(rows))
    standin.calls.clear()
    result = consolidate(org, as_of=D3)
    assert standin.counts() == {"files.list": 1, "values.batchGet": 1}
    assert all(s.state == FRESH for s in result.workbooks)


def test_the_same_rows_in_sheets_and_in_xlsx_give_the_same_company_workbook(
    tmp_path, standin, key_path
):
    rows = org_rows()
    in_sheets = {k: v for k, v in rows.items() if k in ("sales.xlsx", "emea.xlsx")}
    put_org(standin, in_sheets)
    mixed_root, xlsx_root = tmp_path / "mixed", tmp_path / "xlsx"
    for name, content in rows.items():
        write_workbook(xlsx_root / "departments" / name, content)
        if name not in in_sheets:
            write_workbook(mixed_root / "departments" / name, content)
    url = standin.url
    mixed = with_xlsx(
        gsheet_workspace(mixed_root, f"sqlite:///{mixed_root / 'm.db'}", key_path, url)
    )
    plain = parse_config(
        {
            "organisation": {"name": "Test Org"},
            "store": {"url": f"sqlite:///{xlsx_root / 'x.db'}"},
            "sources": [{"kind": "folder", "path": "departments"}],
            "output": {"path": "out/company.xlsx"},
        },
        xlsx_root,
    )
    a = consolidate(mixed, as_of=D1)
    b = consolidate(plain, as_of=D1)
    assert (a.rows, a.errors, a.warnings) == (b.rows, b.errors, b.warnings)
    got, want = cells(a.output), cells(b.output)
    assert set(got) == set(want)
    for sheet in got:
        if sheet == "Dashboard":
            # Its workbook list is ordered by source, then name: the same rows, reordered.
            # "Run started" is the clock time of each run.
            def rows(sheet_rows: list) -> list[str]:
                return sorted(str(r) for r in sheet_rows if r[:1] != ["Run started"])

            assert rows(got[sheet]) == rows(want[sheet])
        else:
            assert got[sheet] == want[sheet], sheet


def test_a_sheet_that_fails_falls_back_to_its_last_good_version_marked_stale(org, standin):
    consolidate(org, as_of=D1)
    sales = next(b for b in standin.books.values() if b.title == "sales.xlsx")
    standin.touch(sales)
    standin.fail("values.batchGet", 500, retry_after="0", sheet=sales.id, times=5)
    result = consolidate(org, as_of=D2)
    states = {s.name: s.state for s in result.workbooks}
    assert states["sales.xlsx"] == STALE
    assert [s for s, v in states.items() if v != STALE] == ["company.xlsx", "emea.xlsx", "ops.xlsx"]
    stale = next(s for s in result.workbooks if s.name == "sales.xlsx")
    assert "500" in stale.error and "5 tries" in stale.error
    assert result.rows == 18  # the stale version still shows every row


def test_a_sheet_deleted_between_list_and_read_falls_back(org, standin):
    consolidate(org, as_of=D1)
    ops = next(b for b in standin.books.values() if b.title == "ops.xlsx")
    standin.touch(ops)
    source = make_source(org.sources[0], org)
    original = source.listing

    def listing_then_delete(api):
        files = original(api)
        del standin.books[ops.id]
        return files

    source.listing = listing_then_delete
    result = consolidate(org, as_of=D2, sources=[source])
    state = next(s for s in result.workbooks if s.name == "ops.xlsx")
    assert state.state == STALE and "404" in state.error


def test_a_sheet_without_access_fails_alone_with_the_fix(
    tmp_path, standin, key_path, key_file_data
):
    books = put_org(standin, org_rows())
    books["ops.xlsx"].denied.add(key_file_data["client_email"])
    ws = gsheet_workspace(
        tmp_path,
        f"sqlite:///{tmp_path / 'o.db'}",
        key_path,
        standin.url,
        ids=[books["ops.xlsx"].id],
    )
    result = consolidate(ws, as_of=D1)
    state = next(s for s in result.workbooks if s.state == FAILED)
    assert "403" in state.error and f"share the sheet with {key_file_data['client_email']}" in (
        state.error
    )
    assert sum(s.state == FRESH for s in result.workbooks) == 3


def test_a_missing_key_file_is_one_line_for_the_whole_source(tmp_path, standin):
    missing = tmp_path / "nope.json"
    ws = gsheet_workspace(tmp_path, f"sqlite:///{tmp_path / 'k.db'}", missing, standin.url)
    result = consolidate(ws, as_of=D1)
    (problem,) = [p for p in result.problems if p.code == "unreadable"]
    assert f"{missing} does not exist" in problem.message
    assert "GOOGLE_APPLICATION_CREDENTIALS" in problem.message
    assert standin.count() == 0


def test_a_revoked_key_is_one_line_for_the_whole_source(org, standin, key_file_data):
    standin.revoke(key_file_data["client_email"])
    result = consolidate(org, as_of=D1)
    (problem,) = [p for p in result.problems if p.code == "unreadable"]
    assert "refused the service-account key" in problem.message and "revoked" in problem.message


def test_sheets_in_a_source_by_id_and_url(tmp_path, standin, key_path):
    books = put_org(standin, {"sales.xlsx": org_rows()["sales.xlsx"]}, folder="other")
    sid = books["sales.xlsx"].id
    for ref in (sid, f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0"):
        data = {"kind": "gsheet", "ids": [ref]}
        ws = parse_config(
            {"sources": [data], "google": {"credentials": str(key_path), "api_root": standin.url}},
            tmp_path,
        )
        (read,) = make_source(ws.sources[0], ws).read()
        assert read.ok and read.name == "sales.xlsx" and len(read.table.items) == 7


def test_a_stored_version_is_the_values_read(org, standin):
    consolidate(org, as_of=D1)
    from sync.store.engine import open_store
    from sync.store.history import last_good

    engine = open_store(org.store_url)
    try:
        version = last_good(engine, ["sales.xlsx"])["sales.xlsx"]
    finally:
        engine.dispose()
    doc = json.loads(version.data)
    assert doc["format"] == "okr-gsheet/1" and doc["tabs"]["OKRs"][1][0] == "SALES-O1"


def test_a_gsheet_source_needs_ids_or_a_folder(tmp_path):
    from sync.errors import ConfigError

    ws = parse_config({"sources": [{"kind": "gsheet"}]}, tmp_path)
    with pytest.raises(ConfigError, match="needs ids"):
        make_source(ws.sources[0], ws)


def test_progress_counts_sheets(org):
    seen = []
    consolidate(
        org, as_of=D1, progress=lambda stage, done, total: seen.append((stage, done, total))
    )
    reads = [(d, t) for s, d, t in seen if s.startswith("read")]
    assert reads[-1] == (4, 4)


def test_other_rows_are_unaffected_by_a_kr_and_objective_from_sheets(org, standin):
    book = standin.new_book("pilot", [FOLDER])
    standin.put_sheet(
        book,
        "OKRs",
        grid([obj("P-O1", department="Pilot"), kr("P-KR1", "P-O1", department="Pilot")]),
    )
    result = consolidate(org, as_of=D1)
    assert "pilot" in {s.name for s in result.workbooks}
    assert standin.count("spreadsheets.get") == 1  # no Check-ins tab: one call to learn the tabs


def test_a_sheet_with_chinese_tabs_reads_like_an_english_one(org, standin):
    book = standin.new_book("hr", [FOLDER])
    rows = [obj("HR-O1", "CO-O1", department="HR"), kr("HR-KR1", "HR-O1", department="HR")]
    standin.put_sheet(book, "目标与关键结果", grid(rows))
    standin.put_sheet(book, "进展记录", [["日期", "关键结果编号", "数值", "信心", "说明"]])
    result = consolidate(org, as_of=D1)
    hr = next(s for s in result.workbooks if s.name == "hr")
    assert hr.state == FRESH
    company = CalamineWorkbook.from_path(str(result.output)).get_sheet_by_name("Company")
    assert {"HR-O1", "HR-KR1"} <= {r[0] for r in company.to_python()}
