"""The bundled example organisation: its content, its generated workbooks, the demo."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from examples import content
from examples.build import INPUT_KEYS, build
from examples.content import AS_OF, PLANTED, WORKBOOKS
from examples.demo import main as demo
from okr.cascade import check
from okr.model import Item
from okr.periods import parse_period
from okr.reading import Table, read_table
from okr.schema import COLUMNS, SHEET, column_for_header, header_texts, sheet_name
from okr.scoring import progress
from sync.cli.check import check_workbooks
from sync.xlsx.reading import find_okr_sheet
from sync.xlsx.template import build_template
from tests.libreoffice import libreoffice, recalculate  # noqa: F401 - fixture

EXAMPLES = Path(__file__).parent.parent / "examples"
COMMITTED = EXAMPLES / "org"
DEPARTMENTS = ("sales.xlsx", "finance.xlsx", "hr.xlsx", "operations.xlsx")


def grids(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet of a workbook as python-calamine reads it (cached values)."""
    book = CalamineWorkbook.from_path(str(path))
    return {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in book.sheet_names
    }


def okr_grid(path: Path) -> list[list[object]]:
    """The OKR sheet of a built workbook, whatever its language names the tab."""
    found = grids(path)
    return found[find_okr_sheet(list(found))]


def read(path: Path) -> Table:
    """The OKR table of a built workbook, read as the product reads it."""
    return read_table(okr_grid(path), path.name, SHEET)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example organisation built once into a temporary folder."""
    out = tmp_path_factory.mktemp("org")
    return {p.name: p for p in build(out)}


@pytest.fixture(scope="module")
def tables(org: dict[str, Path]) -> dict[str, Table]:
    """Each built workbook's OKR table."""
    return {name: read(path) for name, path in org.items()}


@pytest.fixture(scope="module")
def items(tables: dict[str, Table]) -> list[Item]:
    """Every row of the built organisation."""
    return [item for table in tables.values() for item in table.items]


# --- the content itself ---------------------------------------------------------------


def all_rows() -> list[tuple[content.Workbook, content.Row]]:
    return [(book, row) for book in WORKBOOKS for row in book.rows]


def test_ids_are_unique_and_carry_their_workbook_prefix() -> None:
    ids = [row.id for _, row in all_rows()]
    assert len(ids) == len(set(ids))
    for book, row in all_rows():
        assert re.fullmatch(rf"{re.escape(book.prefix)}-(O\d+|KR\d+\.\d+)", row.id), row.id


def test_key_results_serve_an_objective_of_their_own_workbook() -> None:
    for book in WORKBOOKS:
        objectives = {r.id for r in book.rows if r.kind == "objective"}
        for row in book.rows:
            if row.kind == "key result":
                assert row.parent in objectives, row.id
                assert row.id.split("-KR")[1].split(".")[0] == row.parent.split("-O")[1]


def test_periods_nest_inside_their_parents_periods() -> None:
    period = {row.id: parse_period(row.period or book.period) for book, row in all_rows()}
    for _, row in all_rows():
        if row.parent in period:
            assert period[row.parent].contains(period[row.id]), row.id


def test_workbooks_are_in_build_order() -> None:
    built: set[str] = set()
    for book in WORKBOOKS:
        assert set(book.parents) <= built, book.filename
        built.add(book.filename)
    names = {b.filename for b in WORKBOOKS}
    assert {"company.xlsx", *DEPARTMENTS} <= names
    assert content.workbook("hr.xlsx").lang == "zh-CN"


def test_some_department_and_company_key_results_name_a_metric() -> None:
    bound = [(book, row) for book, row in all_rows() if row.metric]
    assert 8 <= len(bound) <= 15
    assert all(row.kind == "key result" for _, row in bound)
    # The top of the pyramid is fed by its base too.
    assert {book.filename for book, _ in bound} == {"company.xlsx", *DEPARTMENTS}
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", row.metric) for _, row in bound)
    assert len({row.metric for _, row in bound}) == len(bound)


def test_check_ins_end_at_the_current_value() -> None:
    for book in WORKBOOKS:
        rows = {r.id: r for r in book.rows}
        last: dict[str, content.CheckIn] = {}
        for entry in book.checkins:
            assert rows[entry.kr].kind == "key result", entry
            assert parse_period(book.period).start <= entry.on <= AS_OF, entry
            assert entry.kr not in last or last[entry.kr].on < entry.on, entry
            last[entry.kr] = entry
        for kr_id, entry in last.items():
            assert entry.value == rows[kr_id].current, kr_id


def test_planted_problems_name_rows_of_their_workbook() -> None:
    for planted in PLANTED:
        assert planted.id in {r.id for r in content.workbook(planted.workbook).rows}


# --- the built workbooks ----------------------------------------------------------------


def test_build_is_deterministic(org: dict[str, Path], tmp_path: Path) -> None:
    again = {p.name: p for p in build(tmp_path)}
    assert sorted(again) == sorted(org)
    for name, path in org.items():
        assert grids(again[name]) == grids(path), name


def test_committed_workbooks_are_the_generated_ones(org: dict[str, Path]) -> None:
    committed = sorted(p.name for p in COMMITTED.glob("*.xlsx"))
    assert committed == sorted(org), "run: python -m examples.build"
    for name, path in org.items():
        assert grids(COMMITTED / name) == grids(path), f"{name} is stale or hand-edited"


def test_every_row_reads_back_without_problems(tables: dict[str, Table]) -> None:
    for name, table in tables.items():
        assert table.problems == (), name
        book = content.workbook(name)
        assert [i.id for i in table.items] == [r.id for r in book.rows]


def test_rows_read_back_as_written(tables: dict[str, Table]) -> None:
    for book in WORKBOOKS:
        got = {i.id: i for i in tables[book.filename].items}
        for row in book.rows:
            item = got[row.id]
            assert (item.kind, item.parent, item.title, item.owner) == (
                row.kind,
                row.parent,
                row.title,
                row.owner,
            )
            assert item.period_label == (row.period or book.period)
            assert item.department == (row.department or book.department)
            assert item.direction == row.direction
            assert (item.baseline, item.target, item.current) == (
                row.baseline,
                row.target,
                row.current,
            ), row.id
            assert item.weight == (row.weight or 1.0)
            assert item.confidence == row.confidence
            assert item.notes == row.notes
            assert item.metric == ""


def test_metric_column_is_written_only_when_asked(tmp_path: Path) -> None:
    built = {p.name: p for p in build(tmp_path, with_metrics=True)}
    for book in WORKBOOKS:
        got = {i.id: i.metric for i in read(built[book.filename]).items}
        assert got == {r.id: r.metric for r in book.rows}


def test_every_department_objective_serves_a_known_parent(
    tables: dict[str, Table], items: list[Item]
) -> None:
    known = {i.id for i in items}
    unknown_parent = {p.id for p in PLANTED if p.code == "unknown-parent"}
    for name in (n for n in tables if n != "company.xlsx"):
        for item in tables[name].items:
            if not item.is_objective or item.parent is None:
                continue
            assert (item.parent in known) == (item.id not in unknown_parent), item.id


def test_department_objectives_serve_the_company(tables: dict[str, Table]) -> None:
    company = {i.id for i in tables["company.xlsx"].items}
    for name in DEPARTMENTS:
        for item in tables[name].items:
            if item.is_objective and item.id not in {p.id for p in PLANTED}:
                assert item.parent in company, item.id


def test_hr_reads_back_with_chinese_headers(org: dict[str, Path]) -> None:
    assert CalamineWorkbook.from_path(str(org["hr.xlsx"])).sheet_names[0] == "目标与关键结果"
    grid = okr_grid(org["hr.xlsx"])
    assert grid[0][: len(COLUMNS)] == header_texts("zh-CN")
    assert [column_for_header(h) for h in grid[0][: len(COLUMNS)]] == [c.key for c in COLUMNS]
    table = read_table(grid, "hr.xlsx", SHEET)
    assert table.problems == ()
    assert [row[1] for row in grid[1:4]] == ["目标", "关键结果", "关键结果"]
    assert all(re.search(r"[\u4e00-\u9fff]", i.title) for i in table.items)
    assert {i.direction for i in table.items if i.is_key_result} >= {"at most", "milestone"}


def test_builder_leaves_formulas_and_helper_columns_alone(
    org: dict[str, Path], tmp_path: Path
) -> None:
    for book in WORKBOOKS:
        blank = build_template(
            tmp_path / book.filename,
            lang=book.lang,
            department=book.department,
            period=book.period,
            parents=[org[p] for p in book.parents],
            as_of=AS_OF,
        )
        okrs = sheet_name("okrs", book.lang)
        before = openpyxl.load_workbook(blank)[okrs]
        after = openpyxl.load_workbook(org[book.filename])[okrs]
        inputs = {
            cell.column_letter
            for cell in before[1]
            if isinstance(cell.value, str) and column_for_header(cell.value) in INPUT_KEYS
        }
        assert {"Q", "R"}.isdisjoint(inputs)
        assert before.max_column == after.max_column
        for row_before, row_after in zip(
            before.iter_rows(min_row=1, max_row=before.max_row),
            after.iter_rows(min_row=1, max_row=before.max_row),
            strict=True,
        ):
            for a, b in zip(row_before, row_after, strict=True):
                if a.column_letter not in inputs or a.row == 1:
                    assert b.value == a.value, f"{book.filename} {a.coordinate}"
        hidden_before = {k: d.hidden for k, d in before.column_dimensions.items()}
        hidden_after = {k: d.hidden for k, d in after.column_dimensions.items()}
        assert hidden_after == hidden_before


# --- the cascade check over the example ------------------------------------------------


@pytest.fixture(scope="module")
def found(items: list[Item]) -> list[tuple[str, str]]:
    """(code, ID) of every problem the cascade check finds in the built organisation."""
    return [(p.code, p.id) for p in check(items, today=AS_OF)]


@pytest.mark.parametrize("planted", PLANTED, ids=lambda p: f"{p.code}-{p.id}")
def test_check_finds_the_planted_problem(
    planted: content.Planted, found: list[tuple[str, str]]
) -> None:
    assert (planted.code, planted.id) in found


def test_check_finds_nothing_but_the_planted_problems(found: list[tuple[str, str]]) -> None:
    assert sorted(found) == sorted((p.code, p.id) for p in PLANTED)


def test_okr_check_reports_the_planted_problems_in_the_right_workbooks(
    org: dict[str, Path],
) -> None:
    report = check_workbooks(list(org.values()), today=AS_OF)
    got = sorted((p.code, p.id, p.workbook) for p in report.problems)
    assert got == sorted((p.code, p.id, p.workbook) for p in PLANTED)


# --- formulas computed by a spreadsheet application -------------------------------------


@pytest.mark.libreoffice
def test_progress_formulas_agree_with_scoring(
    org: dict[str, Path],
    tmp_path: Path,
    libreoffice: str,  # noqa: F811
) -> None:
    for book in WORKBOOKS:
        recalculated = recalculate(org[book.filename], tmp_path / "lo", soffice=libreoffice)
        grid = okr_grid(recalculated)
        col = {column_for_header(h): i for i, h in enumerate(grid[0]) if isinstance(h, str)}
        by_id = {r.id: r for r in book.rows}
        for line in grid[1:]:
            row = by_id.get(line[col["id"]])
            if row is None or row.kind != "key result":
                continue
            want = progress(row.direction, row.baseline, row.target, row.current)
            assert line[col["progress"]] == pytest.approx(want), row.id


# --- the demo -----------------------------------------------------------------------


def test_demo_builds_checks_and_exits_zero(
    org: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo(["--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    for planted in PLANTED:
        assert planted.id in out
    assert "deliberate problems" in out
    assert sorted(p.name for p in (tmp_path / "demo" / "org").glob("*.xlsx")) == sorted(org)


def test_demo_leads_from_a_company_objective_to_the_rows_behind_a_number(tmp_path: Path) -> None:
    import openpyxl

    assert demo(["--out", str(tmp_path / "demo")]) == 0
    book = openpyxl.load_workbook(tmp_path / "demo" / "org" / "consolidated" / "company.xlsx")
    company, data = book["Company"], book["Data"]
    rows = {c.value: c.row for c in company["A"] if isinstance(c.value, str)}
    # CO-O3 (cash) -> its key result DSO, one row below in the tree -> its overdue invoices.
    assert rows["CO-KR3.2"] > rows["CO-O3"]
    down = company[f"L{rows['CO-KR3.2']}"].hyperlink.location
    sheet, cell = down.split("!")
    assert sheet == "'Data'" and data[cell].value == "CO-KR3.2 · Days sales outstanding"
    top = data[cell].row
    assert data.cell(top + 7, 1).value == "invoice"  # the invoices, most overdue first
    blocks = {c.value: c.row for c in data["A"] if isinstance(c.value, str) and " · " in c.value}
    assert len(blocks) >= 4
    emea = blocks["SALES-KR1.1 · New bookings (EUR)"]
    assert data.cell(emea + 6, 2).value.startswith("reconciled")
    history = book["History"]
    kr = next(r for r in history.iter_rows(min_row=4) if r[0].value == "FIN-KR1.1")
    assert kr[12].value  # dates of its points
