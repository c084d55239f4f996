"""The company workbook read back: sheets, links, outline, values only, and LibreOffice."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import insert

from sync.company.report import WorkbookView
from sync.company.style import sheet_names
from sync.company.words import SHEET_KEYS, words
from sync.consolidate.run import consolidate
from sync.run_records import FAILED, FRESH, STALE, SourceState
from sync.store.engine import open_store
from tests.libreoffice import recalculate, require_libreoffice
from tests.okrdata import kr, obj
from tests.orgbuild import make_org, org_rows, workspace, write_workbook

D1, D2 = date(2026, 11, 1), date(2026, 11, 15)
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")
FIXED = ["Dashboard", "Company", "Problems", "Metrics", "Trend", "Changes", "History"]
EVIL = '=HYPERLINK("http://example.invalid","click")'


def rows_with_extras():
    rows = org_rows()
    ops = dict(department="Operations", owner="olga@example.org")
    rows["ops.xlsx"] += [
        obj("OPS-O5", "CO-O2", title=EVIL, **ops),
        kr("OPS-KR5.1", "OPS-O5", metric="tickets", as_of="2026-11-14 09:00", **ops),
        kr("OPS-KR5.2", "OPS-O5", metric="scrap", as_of="2026-10-01 09:00", **ops),
        kr("OPS-KR5.3", "OPS-O5", metric="oee", as_of="2026-11-10 08:00 (failed: timeout)", **ops),
        kr("OPS-KR5.4", "OPS-O5", metric="never", notes="+cmd|' /C calc'!A0", **ops),
        kr("OPS-KR5.5", "OPS-O5", current=150, **ops),  # over-achieved
    ]
    return rows


def build_org(root: Path, lang: str = "en") -> Path:
    """The example run: two consolidations, one department gone stale in between."""
    rows = rows_with_extras()
    make_org(root / "departments", rows)
    write_workbook(
        root / "departments" / "hr.xlsx",
        [obj("HR-O1", "CO-O2", title="留住关键人才", department="人力资源"), kr("HR-KR1", "HR-O1")],
        lang="zh-CN",
    )
    url = f"sqlite:///{root / 'okr.db'}"
    ws = replace(workspace(root, url), lang=lang)
    consolidate(ws, as_of=D1)
    engine = open_store(url)
    from sync.store.schema import metric_values

    with engine.begin() as conn:
        conn.execute(
            insert(metric_values),
            [
                {
                    "metric": "tickets",
                    "period": "2026-Q4",
                    "value": 50.0,
                    "as_of": datetime(2026, 11, 14, 9),
                    "source": "helpdesk: open tickets view",
                    "recorded_at": datetime(2026, 11, 14, 9),
                }
            ],
        )
    engine.dispose()
    (root / "departments" / "emea.xlsx").write_bytes(b"not a workbook")  # stale from now on
    rows["sales.xlsx"][4]["notes"] = "daily QBRs"
    write_workbook(root / "departments" / "sales.xlsx", rows["sales.xlsx"])
    result = consolidate(ws, as_of=D2)
    return result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_org(tmp_path_factory.mktemp("company"))


@pytest.fixture(scope="module", params=["en", "zh-CN"])
def built_in(request, tmp_path_factory) -> tuple[str, Path]:
    """The company workbook in each language (English: the shared one)."""
    if request.param == "en":
        return "en", request.getfixturevalue("built")
    return request.param, build_org(tmp_path_factory.mktemp("company-zh"), request.param)


def read(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(path).get_sheet_by_name(name).to_python()


def records(path: Path, name: str) -> list[dict]:
    rows = read(path, name)
    return [dict(zip(rows[2], r, strict=False)) for r in rows[3:]]


def test_sheets_come_in_order_with_one_per_department(built):
    names = CalamineWorkbook.from_path(built).sheet_names
    assert names[: len(FIXED)] == FIXED
    departments = ["Company OKRs", "Operations", "Sales", "Sales EMEA", "人力资源"]
    assert sorted(names[len(FIXED) :]) == departments


def test_company_sheet_is_the_tree_with_outline_levels_folded_below_departments(built):
    wb = openpyxl.load_workbook(built)
    ws = wb["Company"]
    assert ws.sheet_properties.outlinePr.summaryBelow is False
    got = {}
    for r in range(4, ws.max_row + 1):
        dim = ws.row_dimensions[r]
        got[ws.cell(r, 1).value] = (dim.outlineLevel or 0, bool(dim.hidden))
    assert got["CO-O1"] == (0, False)
    assert got["SALES-O2"] == (1, False)
    assert got["SALES-KR2.1"] == (2, True)
    assert got["SALES-O1"] == (2, False)
    assert got["EMEA-O1"] == (3, True)
    assert got["OPS-O1"] == (4, True)
    assert got["Unaligned"] == (0, False) and got["OPS-O2"] == (1, False)
    assert ws.row_dimensions[
        next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == "SALES-O1")
    ].collapsed


def test_company_sheet_columns(built):
    rows = {r["ID"]: r for r in records(built, "Company")}
    co = rows["CO-O1"]
    assert co["Title"] == "Grow revenue" and co["Type"] == "Objective"
    assert co["Department"] == "Company" and co["Period"] == "2026"
    assert co["Progress"] == pytest.approx(2.3 / 3)
    assert co["Status"] == "at risk" and co["Problems"] == ""  # blank: none
    assert co["Workbook state"] == ""  # blank: fresh
    assert "Source" not in co  # the ID links to the row; its sheet shows the source row
    assert rows["OPS-O2"]["Problems"] == 1  # unknown parent
    assert rows["EMEA-O1"]["Workbook state"] == "stale since 2026-11-01"
    assert rows["SALES-KR2.1"]["Notes"] == "daily QBRs"


def test_department_sheets_hold_the_rows_as_submitted_with_computed_numbers(built):
    rows = read(built, "Sales")
    assert rows[0][0] == "Sales (sales.xlsx)" and rows[0][8] == "↑ Company"
    header = rows[2]
    assert header[:4] == ["ID", "Type", "Parent", "Title"]
    assert header[-6:] == ["Rolled up", "Achievement", "Problems", "Problem details", "Row", "Data"]
    kr12 = dict(zip(header, next(r for r in rows if r[0] == "SALES-KR1.2"), strict=True))
    assert kr12["Weight"] == 3 and kr12["Current"] == 40 and kr12["Progress"] == pytest.approx(0.4)
    assert kr12["Row"] == 4 and kr12["Achievement"] == pytest.approx(0.4)
    ops = read(built, "Operations")
    over = dict(zip(header, next(r for r in ops if r[0] == "OPS-KR5.5"), strict=True))
    assert over["Progress"] == 1 and over["Achievement"] == pytest.approx(1.5)
    o3 = dict(zip(header, next(r for r in rows if r[0] == "SALES-O3"), strict=True))
    assert o3["Problems"] == 1 and o3["Problem details"].startswith("orphan: objective SALES-O3")
    o1 = dict(zip(header, next(r for r in rows if r[0] == "SALES-O1"), strict=True))
    assert o1["Progress"] == pytest.approx(0.45) and o1["Rolled up"] == pytest.approx(0.54)


def test_outside_text_is_never_a_formula_and_nothing_is_a_formula(built):
    rows = {r["ID"]: r for r in records(built, "Company")}
    assert rows["OPS-O5"]["Title"] == EVIL
    assert rows["OPS-KR5.4"]["Notes"] == "+cmd|' /C calc'!A0"
    with zipfile.ZipFile(built) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in zf.read(name).decode(), name


def test_every_link_resolves_to_the_row_it_names(built_in):
    lang, built = built_in
    w = words(lang)
    company, up = w.sheet("company"), w["up"].format(company=w.sheet("company"))
    wb = openpyxl.load_workbook(built)
    checked = folded = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.hyperlink is None:
                    continue
                m = re.fullmatch(r"'((?:[^']|'')+)'!A(\d+)", cell.hyperlink.location or "")
                assert m, (ws.title, cell.coordinate, cell.hyperlink.location)
                target = wb[m.group(1).replace("''", "'")]
                at = target.cell(int(m.group(2)), 1).value
                if cell.value == up:
                    assert (cell.row, int(m.group(2))) == (1, 1)
                elif ws.title == company and cell.column == 9:  # the problem count
                    assert target.cell(int(m.group(2)), 3).value == ws.cell(cell.row, 1).value
                elif ws.title == w.sheet("dashboard"):
                    assert int(m.group(2)) == 1
                elif target.title == company:  # up from a department row: lands on a shown row
                    assert not target.row_dimensions[int(m.group(2))].hidden
                    own = next(r for r in target.iter_rows(min_row=4) if r[0].value == cell.value)
                    assert at == cell.value or target.row_dimensions[own[0].row].hidden
                    folded += at != cell.value
                elif cell.value != w["open"]:
                    assert at == cell.value, (ws.title, cell.coordinate)
                checked += 1
    assert checked > 60
    assert folded  # some rows are folded away, and their links land above them


def test_a_key_result_links_to_its_metrics_row(built):
    wb = openpyxl.load_workbook(built)
    metrics = {r[1].value: r[0].row for r in wb["Metrics"].iter_rows(min_row=4) if r[1].value}
    linked = 0
    for ws in wb.worksheets[6:]:
        for row in ws.iter_rows(min_row=4):
            metric = row[14]
            if metric.hyperlink is not None:
                assert metric.hyperlink.location == f"'Metrics'!A{metrics[row[0].value]}"
                linked += 1
    assert linked


def test_problems_sheet_lists_every_problem_with_its_place(built):
    problems = records(built, "Problems")
    assert [p["Severity"] for p in problems] == sorted(
        (p["Severity"] for p in problems), key=lambda s: s != "error"
    )
    unknown = next(p for p in problems if p["Code"] == "unknown-parent")
    assert (unknown["ID"], unknown["Department"], unknown["Workbook"]) == (
        "OPS-O2",
        "Operations",
        "ops.xlsx",
    )
    assert (unknown["Sheet"], unknown["Cell"], unknown["Workbook state"]) == ("OKRs", "C4", "")
    emea = next(p for p in problems if p["Workbook"] == "emea.xlsx")
    assert emea["Code"] == "unreadable" and emea["Workbook state"] == "stale since 2026-11-01"
    assert read(built, "Problems")[0][0].startswith("Problems as of 2026-11-15: ")


def test_metrics_sheet_shows_value_source_as_of_and_state(built):
    metrics = {m["ID"]: m for m in records(built, "Metrics")}
    assert set(metrics) == {"OPS-KR5.1", "OPS-KR5.2", "OPS-KR5.3", "OPS-KR5.4"}
    fresh = metrics["OPS-KR5.1"]
    assert (fresh["Metric"], fresh["State"], fresh["Value"]) == ("tickets", "fresh", 50)
    assert fresh["Source"] == "helpdesk: open tickets view"
    assert fresh["As of"] == datetime(2026, 11, 14, 9)
    assert (
        metrics["OPS-KR5.2"]["State"] == "stale" and "45 days old" in metrics["OPS-KR5.2"]["Detail"]
    )
    assert (
        metrics["OPS-KR5.3"]["State"] == "failed"
        and metrics["OPS-KR5.3"]["Detail"] == "failed: timeout"
    )
    assert metrics["OPS-KR5.4"]["State"] == "stale" and metrics["OPS-KR5.4"]["Source"] == "—"


def test_trend_has_sparklines_a_chart_and_notes_marks(built):
    trend = records(built, "Trend")
    o2 = next(r for r in trend if r["ID"] == "SALES-O2")
    assert o2["2026-11-01"] == pytest.approx(0.8) and o2["2026-11-15"] == pytest.approx(0.8)
    assert o2["Notes changed on"] == "2026-11-15"
    wb = openpyxl.load_workbook(built)
    cell = next(c for c in wb["Trend"]["A"] if c.value == "SALES-O2")
    comment = wb["Trend"].cell(cell.row, 6).comment
    assert comment is not None and "SALES-KR2.1: daily QBRs" in comment.text
    with zipfile.ZipFile(built) as zf:
        sheets = {
            n: zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")
        }
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert any("x14:sparklineGroup" in x for x in sheets.values())
    bars = [x for x in sheets.values() if "<dataBar>" in x]
    assert len(bars) == 1 and '<conditionalFormatting sqref="G4:' in bars[0]  # Progress
    assert len(charts) == 3  # progress by department, status counts, company objectives trend


def test_dashboard_summarises_the_run(built):
    rows = read(built, "Dashboard")
    summary = {r[0]: r[1] for r in rows[2:15] if r[0]}
    assert summary["As of"] == "2026-11-15"
    assert summary["Workbooks read"] == "5: 4 fresh, 1 stale, 0 failed"
    assert summary["Stale or failed"] == "emea.xlsx"
    assert summary["Company objectives"] == 2 and summary["Changes"].endswith("since 2026-11-01")
    table = [r for r in rows if r[0] in ("sales.xlsx", "emea.xlsx")]
    sales = next(r for r in table if r[0] == "sales.xlsx")
    assert sales[1] == "Sales" and sales[3] == pytest.approx((0.54 + 0.8 + 0.1) / 3)


def test_chinese_workbooks_keep_their_text(built):
    rows = {r["ID"]: r for r in records(built, "Company")}
    assert rows["HR-O1"]["Title"] == "留住关键人才" and rows["HR-O1"]["Department"] == "人力资源"


@pytest.mark.libreoffice
def test_libreoffice_opens_and_recalculates_with_no_error_values(built, tmp_path):
    require_libreoffice()
    out = recalculate(built, tmp_path)
    before = CalamineWorkbook.from_path(built)
    after = CalamineWorkbook.from_path(out)
    assert after.sheet_names == before.sheet_names
    errors = re.compile(r"^(#(REF!|NAME\?|VALUE!|DIV/0!|N/A|NUM!|NULL!)|Err:\d+)")
    for name in after.sheet_names:
        cells = [c for row in after.get_sheet_by_name(name).to_python() for c in row]
        assert not [c for c in cells if isinstance(c, str) and errors.match(c)], name
    lo, ours = read(out, "Company")[3], read(built, "Company")[3]
    assert lo[:6] == ours[:6] and lo[6] == pytest.approx(ours[6], rel=1e-14)


def test_examples_with_formulas_are_consolidated_as_values(tmp_path):
    from examples.build import build

    build(tmp_path / "departments")
    with zipfile.ZipFile(tmp_path / "departments" / "sales.xlsx") as zf:
        assert "<f>" in zf.read("xl/worksheets/sheet1.xml").decode()  # the input has formulas
    result = consolidate(
        workspace(tmp_path, f"sqlite:///{tmp_path / 'okr.db'}"), as_of=date(2026, 11, 16)
    )
    assert result.rows == 72 and all(s.state == FRESH for s in result.workbooks)
    with zipfile.ZipFile(result.output) as zf:
        assert not any(
            "<f>" in zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")
        )


def test_sheet_names_are_valid_unique_and_avoid_the_fixed_sheets():
    def view(department, name="x.xlsx", state=FRESH):
        return WorkbookView(SourceState(name, "src", state), department)

    views = [
        view("Company"),
        view("Sales"),
        view("sales"),
        view("R&D [new]: labs/north?"),
        view("A" * 40),
        view("A" * 40),
        view("", "team-blue.xlsx"),
        view("Gone", state=FAILED),
        view("Old", state=STALE),
    ]
    names = sheet_names(views)
    assert names[0] == "Company OKRs" and names[1] == "Sales" and names[2] == "sales (2)"
    assert names[3] == "R&D new labs north"
    assert len(names[4]) == 31 and len(names[5]) == 31 and names[4] != names[5]
    assert names[6] == "team-blue" and names[7] == "" and names[8] == "Old"


def test_a_chinese_company_workbook_has_chinese_sheets_and_headings(built_in):
    lang, built = built_in
    w = words(lang)
    wb = openpyxl.load_workbook(built)
    fixed = [w.sheet(k) for k in SHEET_KEYS if k != "data"]
    assert wb.sheetnames[: len(fixed)] == fixed and wb.active.title == fixed[0]
    company = [c.value for c in wb[w.sheet("company")][3]]
    assert company[:4] == [w.heading(k) for k in ("id", "title", "type", "owner")]
    problems = [c.value for c in wb[w.sheet("problems")][3]]
    assert problems[:3] == [w.heading(k) for k in ("severity", "code", "id")]
    sales = [c.value for c in wb["Sales"][3]]
    assert sales[:3] == [w.heading(k) for k in ("id", "type", "parent")]
    types = {r[2].value for r in wb[w.sheet("company")].iter_rows(min_row=4) if r[2].value}
    assert types == {w.type_word("objective"), w.type_word("key result")}
    dashboard = [r[0].value for r in wb[w.sheet("dashboard")].iter_rows(min_row=3, max_row=5)]
    assert dashboard == [w["organisation"], w["as_of"], w["run_started"]]
    if lang == "zh-CN":
        assert fixed == ["仪表板", "公司", "问题", "指标", "趋势", "变更", "历史"]
        assert company[:4] == ["编号", "标题", "类型", "负责人"]
        assert wb[fixed[1]]["A1"].value.endswith("：公司 OKR（截至 2026-11-15）")
        assert "目标" in types
