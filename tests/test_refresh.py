"""``okr metrics refresh``: real workbooks made from the template, a real SQLite ERP."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from okr.cascade import check
from okr.reading import read_table
from okr.rollup import score_all
from okr.schema import COLUMNS, KEYS, LETTER, SHEET, header_texts
from sync.config import Workspace, load_config, parse_config
from sync.errors import InputError
from sync.metrics.refresh import refresh
from sync.metrics.registry import load_registry
from sync.store.engine import open_store
from sync.store.metrics import latest
from sync.xlsx.fill import failure_text, save_in_place
from sync.xlsx.reading import read_workbook
from sync.xlsx.safe_values import write_value
from tests.conftest import ROOT
from tests.libreoffice import libreoffice, recalculate  # noqa: F401 (a fixture)

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 6, 30, 12)
OBJ, KR = "Objective", "Key Result"
# id, type, parent, direction, baseline, target, current, metric
ROWS: list[tuple] = [
    ("SALES-O1", OBJ, "CO-O1", None, None, None, None, None),
    ("SALES-KR1.1", KR, "SALES-O1", "increase", 0, 100, 10, "bookings"),
    ("SALES-KR1.2", KR, "SALES-O1", "decrease", 60, 40, 58, "cycle_days"),
    ("SALES-KR1.3", KR, "SALES-O1", "at least", None, 20, 5, "win_rate"),
    ("SALES-KR1.4", KR, "SALES-O1", "milestone", None, None, 0, "launched"),
    ("SALES-KR1.5", KR, "SALES-O1", "increase", 0, 10, 3, None),
    ("SALES-O2", OBJ, "CO-O1", None, None, None, None, None),
    ("SALES-KR2.1", KR, "SALES-O2", "increase", 0, 50, 12, "pipeline"),
]
VALUES = {"bookings": 40.0, "cycle_days": 50.0, "win_rate": 21.5, "launched": 1.0, "pipeline": 30}


def make_erp(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE kpi (name TEXT, day DATE, value REAL)")
        for name, value in VALUES.items():
            conn.execute("INSERT INTO kpi VALUES (?, '2026-11-01', ?)", (name, value))
            conn.execute("INSERT INTO kpi VALUES (?, '2026-06-01', 1000)", (name,))
    conn.close()
    return path


def query(name: str) -> str:
    return f"SELECT SUM(value) FROM kpi WHERE name = '{name}' AND day BETWEEN :start AND :end"


def workspace(root: Path, *, store: str | None = None, extra: dict | None = None) -> Workspace:
    metrics: dict[str, Any] = {n: {"connection": "erp", "query": query(n)} for n in VALUES}
    metrics["bookings"]["unit"] = "EUR"
    data: dict[str, Any] = {
        "store": {"url": store or f"sqlite:///{root / '.okr' / 'okr.db'}"},
        "sources": [{"kind": "folder", "path": "depts"}],
        "connections": {"erp": {"kind": "sql", "url": "sqlite:///erp.sqlite", "timeout": 5}},
        "metrics": metrics,
    }
    for key, value in (extra or {}).items():
        data[key].update(value)
    return parse_config(data, root)


def fill(
    path: Path, rows: list[tuple], period: str = "2026-Q4", template: Path | None = None
) -> Path:
    """Type *rows* into a copy of the template, as a department head would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template or ROOT / "okr_template.xlsx", path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    for r, (item_id, kind, parent, direction, base, target, current, metric) in enumerate(rows, 2):
        cells = {"id": item_id, "type": kind, "parent": parent, "title": f"Title of {item_id}",
                 "owner": "ana@example.org", "department": "Sales", "period": period,
                 "direction": direction, "baseline": base, "target": target, "current": current,
                 "metric": metric, "unit": "EUR" if metric == "bookings" else None}  # fmt: skip
        for key, value in cells.items():
            if value is not None:
                ws[f"{LETTER[key]}{r}"] = value
    wb.save(path)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    make_erp(tmp_path / "erp.sqlite")
    fill(tmp_path / "depts" / "sales.xlsx", ROWS)
    return tmp_path


def cells(path: Path) -> dict[tuple[str, str], tuple]:
    """Every cell of every sheet: value, number format and style, by (sheet, coordinate)."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                # openpyxl saves an empty text cell as an empty inline string, read
                # back as an empty cell: all three are the same empty cell to a user
                value = None if c.value == "" else c.value
                kind = None if value is None else c.data_type
                out[(ws.title, c.coordinate)] = (value, c.number_format, c.style_id, kind)
    return out


def structure(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    return {
        "sheets": wb.sheetnames,
        "names": {n: d.attr_text for n, d in wb.defined_names.items()},
        "validation": sorted(
            (str(v.sqref), v.type, v.formula1, v.prompt) for v in ws.data_validations.dataValidation
        ),
        "conditional": sorted(
            (str(rng.sqref), r.type, tuple(r.formula or ()))
            for rng in ws.conditional_formatting
            for r in rng.rules
        ),
        "hidden": {k: d.hidden for k, d in ws.column_dimensions.items()},
        "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        "freeze": ws.freeze_panes,
        "tables": dict(ws.tables.items()),
        "protection": ws.protection.sheet,
    }


def test_fills_current_and_as_of_and_nothing_else(root: Path) -> None:
    book = root / "depts" / "sales.xlsx"
    before, shape = cells(book), structure(book)
    original = book.read_bytes()
    report = refresh(workspace(root), today=TODAY, now=lambda: NOW)
    assert report.ok, report
    assert [(w.name, w.state, w.filled) for w in report.workbooks] == [("sales.xlsx", "written", 5)]
    after = cells(book)
    changed = {k for k in before if before[k] != after.get(k)} | (after.keys() - before.keys())
    bound = [r for r, row in enumerate(ROWS, 2) if row[7]]
    expected = {(SHEET, f"{LETTER[k]}{r}") for r in bound for k in ("current", "as_of")}
    assert changed == expected
    assert structure(book) == shape
    wb = openpyxl.load_workbook(book)
    assert wb.calculation.fullCalcOnLoad
    ws = wb[SHEET]
    assert ws["L3"].value == 40 and ws["L4"].value == 50 and ws["L5"].value == 21.5
    assert ws["L7"].value == 3  # typed by hand, untouched
    assert ws["P3"].value == datetime(2026, 11, 27, 6, 30)
    assert ws["P3"].number_format == "yyyy-mm-dd hh:mm"
    assert (root / "depts" / "sales.xlsx.bak").read_bytes() == original


def test_values_are_recorded_in_the_store(root: Path, store_url: str) -> None:
    report = refresh(workspace(root, store=store_url), today=TODAY, now=lambda: NOW)
    assert report.recorded == 5
    engine = open_store(store_url)
    got = latest(engine, "bookings", "2026-Q4")
    engine.dispose()
    assert got is not None and got.value == 40 and got.as_of == NOW.replace(microsecond=0)
    assert got.source == "erp: sqlite:///erp.sqlite"
    assert (got.window_start, got.window_end) == (date(2026, 10, 1), TODAY)


def test_failed_metric_keeps_value_and_is_marked_stale(root: Path) -> None:
    ws = workspace(root)
    refresh(ws, today=TODAY, now=lambda: NOW)
    with sqlite3.connect(root / "erp.sqlite") as conn:
        conn.execute("DELETE FROM kpi WHERE name = 'pipeline'")
    conn.close()
    later = datetime(2026, 11, 28, 6, 30)
    report = refresh(ws, today=date(2026, 11, 28), now=lambda: later)
    assert [f.metric for f in report.failures] == ["pipeline"]
    assert not report.ok
    assert [(w.filled, w.failed) for w in report.workbooks] == [(4, 1)]
    sheet = openpyxl.load_workbook(root / "depts" / "sales.xlsx")[SHEET]
    assert sheet["L9"].value == 30  # the last good value stays
    assert sheet["P9"].value.startswith("2026-11-27 06:30 (failed: the query")
    assert "pipeline failed" in sheet["P9"].comment.text
    assert sheet["P3"].value == datetime(2026, 11, 28, 6, 30)

    table = read_workbook(root / "depts" / "sales.xlsx")
    item = next(i for i in table.items if i.id == "SALES-KR2.1")
    assert item.as_of == datetime(2026, 11, 27, 6, 30)
    assert item.metric_state.startswith("failed: ")
    problems = check(table.items, today=date(2026, 11, 28), metrics={n: "" for n in VALUES})
    stale = [p for p in problems if p.code == "stale"]
    assert [(p.id, p.cell) for p in stale] == [("SALES-KR2.1", "P9")]

    with sqlite3.connect(root / "erp.sqlite") as conn:
        conn.execute("INSERT INTO kpi VALUES ('pipeline', '2026-11-02', 33)")
    conn.close()
    assert refresh(ws, today=date(2026, 11, 28), now=lambda: later).ok
    sheet = openpyxl.load_workbook(root / "depts" / "sales.xlsx")[SHEET]
    assert sheet["L9"].value == 33 and sheet["P9"].value == later
    assert sheet["P9"].comment is None


def test_failure_without_earlier_value(root: Path) -> None:
    ws = workspace(root, extra={"metrics": {"pipeline": {"connection": "erp", "query": "SELEC 1"}}})
    refresh(ws, today=TODAY, now=lambda: NOW)
    sheet = openpyxl.load_workbook(root / "depts" / "sales.xlsx")[SHEET]
    assert sheet["P9"].value.startswith("(failed: the query is not one SELECT")
    assert sheet["L9"].value == 12


def test_a_period_not_begun_is_skipped_and_the_workbook_left_alone(root: Path) -> None:
    book = fill(root / "depts" / "sales.xlsx", ROWS, period="2027-Q1")
    original = book.read_bytes()
    report = refresh(workspace(root), today=TODAY, now=lambda: NOW)
    assert report.ok
    assert {o.state for o in report.outcomes} == {"skipped"}
    assert "has not begun" in report.outcomes[0].error
    assert [w.state for w in report.workbooks] == ["unchanged"]
    assert book.read_bytes() == original


def test_failure_text() -> None:
    assert failure_text(datetime(2026, 11, 20, 9, 30), "timed out (30 s)") == (
        "2026-11-20 09:30 (failed: timed out [30 s])"
    )
    assert failure_text("2026-11-20 09:30 (failed: old)", "x" * 80).endswith("x…)")
    assert failure_text(None, "=HYPERLINK(1)") == "(failed: =HYPERLINK[1])"


def test_one_failing_connection_never_stops_the_others(root: Path) -> None:
    extra = {
        "connections": {"crm": {"kind": "sql", "url": "sqlite:///missing.sqlite"}},
        "metrics": {
            "pipeline": {"connection": "crm", "query": "SELECT 1"},
            "launched": {"connection": "crm", "query": "SELECT 1"},
        },
    }
    report = refresh(workspace(root, extra=extra), today=TODAY, now=lambda: NOW)
    failed = {f.metric: f.error for f in report.failures}
    assert set(failed) == {"pipeline", "launched"}
    assert all("connection crm: database file" in e for e in failed.values())
    assert [(w.state, w.filled, w.failed) for w in report.workbooks] == [("written", 3, 2)]


def test_locked_or_read_only_workbooks_are_reported_not_touched(root: Path) -> None:
    other = fill(
        root / "depts" / "ops.xlsx", [(r[0].replace("SALES", "OPS"), *r[1:]) for r in ROWS]
    )
    book = root / "depts" / "sales.xlsx"
    lock = root / "depts" / "~$sales.xlsx"
    lock.write_bytes(b"\x05owner")
    original = book.read_bytes()
    report = refresh(workspace(root), today=TODAY, now=lambda: NOW)
    states = {w.name: (w.state, w.error) for w in report.workbooks}
    assert (
        states["sales.xlsx"][0] == "skipped" and "open in a spreadsheet" in states["sales.xlsx"][1]
    )
    assert states["ops.xlsx"][0] == "written"
    assert book.read_bytes() == original and not report.ok
    lock.unlink()
    book.chmod(0o444)
    try:
        report = refresh(workspace(root), today=TODAY, now=lambda: NOW)
    finally:
        book.chmod(0o644)
    assert "read-only" in {w.name: w.error for w in report.workbooks}["sales.xlsx"]
    assert book.read_bytes() == original
    assert other.exists()


def test_a_workbook_changed_meanwhile_is_not_overwritten(root: Path) -> None:
    book = root / "depts" / "sales.xlsx"
    wb = openpyxl.load_workbook(book)
    with pytest.raises(InputError, match="changed while refreshing"):
        save_in_place(wb, book, (1, 1))


def test_workbook_with_a_chart_is_skipped(root: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    book = root / "depts" / "sales.xlsx"
    wb = openpyxl.load_workbook(book)
    chart = BarChart()
    chart.add_data(Reference(wb[SHEET], min_col=12, min_row=1, max_row=9), titles_from_data=True)
    wb["Guide"].add_chart(chart, "H2")
    wb.save(book)
    report = refresh(workspace(root), today=TODAY, now=lambda: NOW)
    assert "charts" in report.workbooks[0].error and report.workbooks[0].state == "skipped"


def test_a_macro_workbook_saved_as_xlsx_is_skipped_and_keeps_its_macros(root: Path) -> None:
    book = root / "depts" / "sales.xlsx"
    data = book.read_bytes()
    with zipfile.ZipFile(book, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros")
    data = book.read_bytes()
    report = refresh(workspace(root), today=TODAY, now=lambda: NOW)
    assert report.workbooks[0].state == "skipped"
    assert "macros (vbaProject.bin)" in report.workbooks[0].error
    assert book.read_bytes() == data  # untouched: the macros are still there


def test_rows_that_cannot_take_a_metric_are_reported(root: Path) -> None:
    rows = [*ROWS, ("SALES-KR2.2", KR, "SALES-O2", "increase", 0, 5, 1, "no_such_metric"),
            ("SALES-O3", OBJ, "CO-O1", None, None, None, None, "bookings")]  # fmt: skip
    fill(root / "depts" / "sales.xlsx", rows)
    report = refresh(workspace(root), today=TODAY, now=lambda: NOW)
    assert len(report.problems) == 2
    assert "sales.xlsx O10: SALES-KR2.2 names metric no_such_metric" in report.problems[0]
    assert "SALES-O3 is not a key result" in report.problems[1]


def test_columns_are_found_by_header_in_any_language_and_order(root: Path) -> None:
    order = [c.key for c in COLUMNS]
    order.reverse()
    headers = dict(zip([c.key for c in COLUMNS], header_texts("zh-CN"), strict=True))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目标与关键结果"
    ws.append([headers[k] for k in order])
    row = {"id": "HR-KR1.1", "type": "关键结果", "parent": "HR-O1", "title": "离职率",
           "period": "2026-Q4", "direction": "至多", "target": 9, "current": 11,
           "metric": "win_rate", "notes": "keep"}  # fmt: skip
    ws.append([row.get(k) for k in order])
    wb.save(root / "depts" / "hr.xlsx")
    refresh(workspace(root), today=TODAY, now=lambda: NOW)
    ws = openpyxl.load_workbook(root / "depts" / "hr.xlsx").active
    got = {k: ws.cell(2, order.index(k) + 1).value for k in ("current", "as_of", "notes", "target")}
    assert got == {
        "current": 21.5,
        "as_of": datetime(2026, 11, 27, 6, 30),
        "notes": "keep",
        "target": 9,
    }


def test_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, text in enumerate(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain"], 1):
        write_value(ws.cell(i, 1), text)
    write_value(ws.cell(8, 1), 12.5)
    wb.save(tmp_path / "x.xlsx")
    back = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [back.cell(i, 1).data_type for i in range(1, 8)] == ["s"] * 7
    assert back.cell(1, 1).value == "=1+1" and back.cell(1, 1).quotePrefix
    assert not back.cell(7, 1).quotePrefix and back.cell(8, 1).value == 12.5
    values = CalamineWorkbook.from_path(str(tmp_path / "x.xlsx")).get_sheet_by_index(0).to_python()
    assert values[0][0] == "=1+1"


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_libreoffice_recalculates_progress_of_the_filled_workbook(
    root: Path, tmp_path: Path
) -> None:
    book = root / "depts" / "sales.xlsx"
    assert refresh(workspace(root), today=TODAY, now=lambda: NOW).ok
    out = recalculate(book, tmp_path / "lo")
    grid = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(SHEET).to_python()
    items = read_table(grid, "sales.xlsx", SHEET).items
    scores = score_all(items, TODAY)
    q = KEYS.index("progress")
    for r, (item_id, *_rest, metric) in enumerate(ROWS, 1):
        if metric:
            assert grid[r][KEYS.index("current")] == pytest.approx(VALUES[metric])
        assert grid[r][q] == pytest.approx(scores[item_id].progress), item_id
    assert scores["SALES-KR1.1"].progress == pytest.approx(0.4)
    assert scores["SALES-KR1.2"].progress == pytest.approx(0.5)
    assert scores["SALES-O1"].progress == pytest.approx((0.4 + 0.5 + 1 + 1 + 0.3) / 5)


def test_demo_metrics_feed_the_example_key_results(tmp_path: Path) -> None:
    from examples.build import build
    from examples.content import WORKBOOKS
    from examples.erp import build_erp
    from examples.okr_toml import write_demo_config

    build(tmp_path, with_metrics=True)
    build_erp(tmp_path, today=TODAY)
    ws = load_config(write_demo_config(tmp_path))
    registry = load_registry(ws)
    bound = {r.id: r for b in WORKBOOKS for r in b.rows if r.metric}
    assert len(bound) >= 8
    assert {r.metric for r in bound.values()} <= set(registry)
    report = refresh(ws, today=TODAY)
    assert report.ok, report
    assert {w.name for w in report.workbooks if w.state == "written"} == {
        b.filename for b in WORKBOOKS if any(r.metric for r in b.rows)
    }
    items = [i for p in sorted(tmp_path.glob("*.xlsx")) for i in read_workbook(p).items]
    for item in items:
        if item.id in bound:
            row = bound[item.id]
            assert registry[row.metric].unit == row.unit
            low, high = sorted((row.baseline or 0, row.target))
            span = high - low
            assert low - span <= item.current <= high + span, (item.id, item.current)
            assert item.as_of is not None and not item.metric_state
    units = {n: m.unit for n, m in registry.items()}
    problems = check(items, ws.settings, today=TODAY, metrics=units)
    codes = {p.code for p in problems}
    assert not codes & {"unknown-metric", "unit-mismatch", "stale"}


def test_the_collector_settings_are_restored_after_a_refresh(root: Path) -> None:
    import gc

    threshold = gc.get_threshold()
    refresh(workspace(root), today=TODAY, now=lambda: NOW)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
