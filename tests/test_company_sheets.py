"""Each sheet of the company workbook, written from a hand-made report (no store, no run)."""

from __future__ import annotations

import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from okr.settings import Settings
from sync.company.book import write_company_workbook
from sync.company.report import Report
from sync.consolidate.compute import Fallback, Inputs, Past, compute
from sync.consolidate.outputs import workbook_date
from sync.run_records import NodeRecord, RunInfo
from sync.sources.base import SourceRead
from sync.xlsx import links
from tests.okrdata import kr, obj, table

D0, D1 = date(2026, 11, 1), date(2026, 11, 8)
STARTED = datetime(2026, 11, 8, 2, 30)


def report() -> Report:
    company = [obj("CO-O1", department="Company"), kr("CO-KR1", "CO-O1", department="Company")]
    sales = [
        obj("SALES-O1", "CO-O1", notes="new pricing"),
        kr("SALES-KR1", "SALES-O1", current=80, metric="bookings", as_of="2026-11-07"),
        kr("SALES-KR2", "NOPE-O9"),  # kr-parent: an error on its row
    ]
    reads = [
        SourceRead("departments", "company.xlsx", b"c", table(company, "company.xlsx")),
        SourceRead("departments", "sales.xlsx", b"s", table(sales, "sales.xlsx")),
        SourceRead("departments", "ops.xlsx", b"o", None, "ops.xlsx: not a workbook"),
    ]
    info = RunInfo(1, D0, STARTED, STARTED, "company.xlsx", 3, 0, 0, 0, 0)
    node = NodeRecord("SALES-O1", "objective", "CO-O1", "CO-O1", 1, "Sales",
                      "sales.xlsx", "Objective SALES-O1", 0.1, 0.1, "behind")  # fmt: skip
    before = {"SALES-O1": node}
    ops = table([obj("OPS-O1", "CO-O1", department="Ops")], "ops.xlsx")
    past = Past(
        previous=info,
        before=before,
        trend_runs=(info,),
        trend_points={1: {"SALES-O1": (0.1, "old pricing")}},
        fallback={"ops.xlsx": Fallback("f" * 64, D0, ops)},
        metric_sources={("bookings", "2026-Q4"): "erp: SELECT sum(amount)"},
    )
    inputs = Inputs("Northwind", Settings(), D1, STARTED, reads, past=past,
                    metric_units={"bookings": ""})  # fmt: skip
    return compute(inputs).report


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, Report]:
    rep = report()
    path = tmp_path_factory.mktemp("book") / "company.xlsx"
    write_company_workbook(rep, path)
    return path, rep


def rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(path).get_sheet_by_name(sheet).to_python()


def flat(path: Path, sheet: str) -> str:
    return " | ".join(str(c) for r in rows(path, sheet) for c in r if c not in ("", None))


def test_the_sheets_in_order_and_the_run_date_inside(book):
    path, rep = book
    names = CalamineWorkbook.from_path(path).sheet_names
    reports = ["Dashboard", "Company", "Problems", "Metrics", "Trend", "Changes", "History"]
    assert names[:7] == reports
    assert len(names) == 7 + len(rep.workbooks)  # no Data sheet: no detail rows
    assert workbook_date(path) == D1


def test_dashboard_names_the_run_and_the_stale_workbook(book):
    text = flat(book[0], "Dashboard")
    assert "Northwind" in text and "2026-11-08" in text
    assert "ops.xlsx" in text and "stale" in text


def test_company_holds_the_whole_tree(book):
    text = flat(book[0], "Company")
    for item_id in ("CO-O1", "CO-KR1", "SALES-O1", "SALES-KR1", "OPS-O1"):
        assert item_id in text


def test_problems_lists_each_problem_with_its_cell(book):
    path, rep = book
    text = flat(path, "Problems")
    assert "kr-parent" in text or "unknown-parent" in text
    assert "unreadable" in text and "ops.xlsx" in text
    assert len(rows(path, "Problems")) >= 3 + len(rep.problems)


def test_metrics_shows_value_source_and_state(book):
    text = flat(book[0], "Metrics")
    assert "SALES-KR1" in text and "erp: SELECT sum(amount)" in text and "fresh" in text


def test_trend_has_one_column_per_run_and_marks_the_changed_action(book):
    path, _ = book
    text = flat(path, "Trend")
    assert "SALES-O1" in text and "2026-11-01" in text and "2026-11-08" in text


def test_changes_lists_the_progress_move(book):
    text = flat(book[0], "Changes")
    assert "SALES-O1" in text


def test_department_sheets_show_their_rows_and_the_stale_banner(book):
    path = book[0]
    names = CalamineWorkbook.from_path(path).sheet_names[6:]
    by_name = {n: flat(path, n) for n in names}
    assert any("SALES-KR1" in t for t in by_name.values())
    assert any("OPS-O1" in t and "stale" in t.lower() for t in by_name.values())


def _links(path: Path) -> dict[str, int]:
    """Hyperlinks per worksheet part of the workbook at *path*."""
    with zipfile.ZipFile(path) as z:
        return {
            n: z.read(n).count(b"<hyperlink ")
            for n in z.namelist()
            if n.startswith("xl/worksheets/sheet")
        }


def test_past_the_links_a_sheet_keeps_cells_are_written_as_text(book, tmp_path, monkeypatch):
    """Excel keeps 65,530 links a sheet: past them every cell is still there, as text."""
    path, rep = book
    monkeypatch.setattr(links, "MAX_LINKS", 2)
    few = tmp_path / "few-links.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xlsxwriter warns when it refuses a link
        write_company_workbook(rep, few)
    assert max(_links(few).values()) == 2 < max(_links(path).values())
    names = CalamineWorkbook.from_path(path).sheet_names
    assert CalamineWorkbook.from_path(few).sheet_names == names
    for sheet in names:
        assert rows(few, sheet) == rows(path, sheet), sheet
