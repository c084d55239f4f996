"""okr_template.xlsx: what the generator writes, and that the committed file is current."""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from okr.periods import parse_period
from okr.reading import read_table
from okr.schema import (
    CHECKINS_SHEET,
    COLUMNS,
    GUIDE_SHEET,
    LETTER,
    LISTS_SHEET,
    SHEET,
    STATUS_WORDS,
    header_texts,
    sheet_name,
    sheet_ref,
)
from okr.scoring import progress, weighted_mean
from sync.cli import main
from sync.errors import InputError
from sync.xlsx.formulas import HELPER_LETTER, LAST_ROW
from sync.xlsx.template import DEFAULT_YEARS, build_template

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "okr_template.xlsx"
FORMULA_KEYS = ("progress", "status")
INPUT_KEYS = tuple(c.key for c in COLUMNS if c.key not in FORMULA_KEYS)
FORBIDDEN = ("XLOOKUP", "LET(", "LAMBDA", "FILTER(", "[@", "#THIS ROW", "_XLFN", "_XLWS")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default English template, built once for the module."""
    return build_template(tmp_path_factory.mktemp("tpl") / "okr_template.xlsx")


@pytest.fixture(scope="module")
def book(template: Path) -> openpyxl.Workbook:
    """The default template opened with openpyxl."""
    return openpyxl.load_workbook(template)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _validation_sources(ws: Worksheet) -> dict[str, tuple[str, str | None]]:
    """Column letter -> (formula1, error style) of each data validation on the sheet."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            found[re.sub(r"\d", "", cell_range.coord.split(":")[0])] = (dv.formula1, dv.errorStyle)
    return found


def _named_cell(wb: openpyxl.Workbook, name: str):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def _named_values(wb: openpyxl.Workbook, name: str) -> list:
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return [row[0].value for row in wb[sheet][ref.replace("$", "")]]


def test_committed_template_is_what_the_generator_makes(tmp_path: Path) -> None:
    fresh = build_template(tmp_path / "okr_template.xlsx")
    committed, made = _members(COMMITTED), _members(fresh)
    assert sorted(committed) == sorted(made)
    stale = [name for name in made if committed[name] != made[name]]
    assert not stale, f"okr_template.xlsx is stale in {stale}: run `make template` and commit it"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = build_template(tmp_path / "a.xlsx", department="HR", period="2026-Q4")
    second = build_template(tmp_path / "b.xlsx", department="HR", period="2026-Q4")
    assert _members(first) == _members(second)


def test_sheets_are_okrs_checkins_guide_lists(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [SHEET, CHECKINS_SHEET, GUIDE_SHEET, LISTS_SHEET]
    assert book.active.title == SHEET


def test_english_headers_are_exactly_the_schema_headers(book: openpyxl.Workbook) -> None:
    ws = book[SHEET]
    headers = [c.value for c in ws[1][: len(COLUMNS)]]
    assert headers == header_texts("en")
    assert headers[:4] == ["ID", "Type", "Parent", "Title"]
    assert ws.tables["OKRs"].ref == f"A1:S{LAST_ROW}"


def test_chinese_template_has_chinese_headers_and_words(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(build_template(tmp_path / "zh.xlsx", lang="zh-CN"))
    assert [c.value for c in wb[sheet_name("okrs", "zh-CN")][1][: len(COLUMNS)]] == header_texts(
        "zh-CN"
    )
    assert [c.value for c in wb[sheet_name("checkins", "zh-CN")][1]] == [
        "日期",
        "关键结果编号",
        "数值",
        "信心",
        "说明",
    ]
    assert _named_values(wb, "TypeList") == ["目标", "关键结果"]
    assert "里程碑" in _named_values(wb, "DirectionList")
    assert '"正常"' in wb[sheet_name("okrs", "zh-CN")]["R2"].value
    assert wb[sheet_name("guide", "zh-CN")]["A1"].value.startswith("如何")


def test_dropdowns_sit_on_type_direction_period_and_parent(book: openpyxl.Workbook) -> None:
    sources = _validation_sources(book[SHEET])
    assert sources[LETTER["type"]][0] == "Lists!$A$2:$A$3"
    assert sources[LETTER["direction"]][0] == "Lists!$F$2:$F$6"
    assert sources[LETTER["period"]][0].startswith("Lists!$K$2:$K$")
    parent_source, parent_style = sources[LETTER["parent"]]
    assert parent_source.startswith("Lists!$O$2:$O$")
    # A warning, not a stop: an ID of this sheet or a list with shares may be typed.
    assert parent_style == "warning"
    assert LETTER["department"] not in sources  # only with --department
    assert _named_values(book, "TypeList") == ["Objective", "Key Result"]
    assert _named_values(book, "DirectionList") == [
        "increase",
        "decrease",
        "at least",
        "at most",
        "milestone",
    ]


def test_header_row_and_id_column_are_frozen(book: openpyxl.Workbook) -> None:
    assert book[SHEET].freeze_panes == "B2"


def test_sheet_is_protected_without_password_formulas_locked_inputs_open(
    book: openpyxl.Workbook,
) -> None:
    ws = book[SHEET]
    assert ws.protection.sheet is True
    assert not ws.protection.password
    for row in (2, 250, LAST_ROW):
        for key in INPUT_KEYS:
            assert ws[f"{LETTER[key]}{row}"].protection.locked is False, (key, row)
        for letter in [LETTER[k] for k in FORMULA_KEYS] + list(HELPER_LETTER.values()):
            cell = ws[f"{letter}{row}"]
            assert cell.protection.locked is True, (letter, row)
            assert str(cell.value).startswith("="), (letter, row)
    assert ws[f"{LETTER['progress']}{LAST_ROW + 1}"].value is None


def test_helper_columns_are_hidden_and_outside_the_table(book: openpyxl.Workbook) -> None:
    ws = book[SHEET]
    hidden = {
        i
        for dim in ws.column_dimensions.values()
        if dim.hidden
        for i in range(dim.min, dim.max + 1)
    }
    indexes = [column_index_from_string(letter) for letter in HELPER_LETTER.values()]
    assert min(indexes) > len(COLUMNS) + 1  # a blank column between table and helpers
    assert set(indexes) <= hidden
    assert not hidden & set(range(1, len(COLUMNS) + 1))


def test_progress_never_refers_to_its_own_column(book: openpyxl.Workbook) -> None:
    formula = book[SHEET][f"{LETTER['progress']}2"].value
    assert f"${LETTER['progress']}" not in formula and f"{LETTER['progress']}2" not in formula


def test_as_of_date_is_one_named_cell_holding_today(book: openpyxl.Workbook) -> None:
    assert _named_cell(book, "AsOfDate").value == "=TODAY()"
    assert _named_cell(book, "OnTrackRatio").value == 0.9
    assert _named_cell(book, "AtRiskRatio").value == 0.6
    assert "AsOfDate" in book[SHEET][f"{LETTER['status']}2"].value


def test_as_of_option_pins_the_date(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(build_template(tmp_path / "t.xlsx", as_of=date(2026, 5, 1)))
    assert _named_cell(wb, "AsOfDate").value.date() == date(2026, 5, 1)
    assert "2025-Q1" in _named_values(wb, "PeriodList")
    assert "2028" not in _named_values(wb, "PeriodList")


def test_no_formula_uses_functions_missing_in_excel_2010_libreoffice_or_sheets(
    book: openpyxl.Workbook,
) -> None:
    formulas = [
        cell.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]
    formulas += [dn.attr_text for dn in book.defined_names.values()]
    assert len(formulas) > 500 * 13
    for formula in formulas:
        upper = formula.upper()
        assert not [word for word in FORBIDDEN if word in upper], formula


def test_status_colours_and_progress_bar_are_plain_conditional_formats(
    template: Path, book: openpyxl.Workbook
) -> None:
    ws = book[SHEET]
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    status_rules = rules[f"R2:R{LAST_ROW}"]
    assert {r.formula[0].strip('"') for r in status_rules} == {
        w["en"] for w in STATUS_WORDS.values()
    }
    assert [r.type for r in rules[f"Q2:Q{LAST_ROW}"]] == ["dataBar"]
    assert b"extLst" not in _members(template)["xl/worksheets/sheet1.xml"]


@pytest.mark.parametrize(
    "options", [{}, {"lang": "zh-CN", "department": "HR", "period": "2026-Q4"}]
)
def test_openpyxl_round_trip_emits_no_warning(options: dict, tmp_path: Path) -> None:
    template = build_template(tmp_path / "t.xlsx", **options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wb = openpyxl.load_workbook(template)
        wb.save(tmp_path / "again.xlsx")
        openpyxl.load_workbook(tmp_path / "again.xlsx")
    assert [str(w.message) for w in caught] == []


def test_a_blank_template_reads_as_an_empty_okr_table(template: Path) -> None:
    grid = CalamineWorkbook.from_path(str(template)).get_sheet_by_name(SHEET).to_python()
    table = read_table(grid, template.name, SHEET)
    assert table.items == () and table.problems == ()


def test_lists_periods_carry_okr_period_dates(book: openpyxl.Workbook) -> None:
    ws = book[LISTS_SHEET]
    labels = _named_values(book, "PeriodList")
    assert labels[0] == str(DEFAULT_YEARS[0]) and len(labels) == 19 * len(DEFAULT_YEARS)
    for row in ws.iter_rows(min_row=2, min_col=11, max_col=13, values_only=True):
        if row[0] is None:
            break
        period = parse_period(row[0])
        assert (row[1].date(), row[2].date()) == (period.start, period.end)


def test_department_and_period_options_prefill_lists_and_guide(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(
        build_template(tmp_path / "s.xlsx", department="SALES", period="2026-q4")
    )
    assert _named_cell(wb, "DefaultDepartment").value == "SALES"
    assert _named_cell(wb, "DefaultPeriod").value == "2026-Q4"
    periods = _named_values(wb, "PeriodList")
    assert periods[0] == "2026-Q4" and periods.count("2026-Q4") == 1
    assert {"2025", "2027-12"} <= set(periods) and "2028" not in periods
    assert _validation_sources(wb[SHEET])[LETTER["department"]][1] == "information"
    guide = " ".join(str(c.value) for c in wb[GUIDE_SHEET]["A"] if c.value)
    assert "SALES" in guide and "2026-Q4" in guide


def test_guide_explains_the_worked_example_with_okr_numbers(book: openpyxl.Workbook) -> None:
    guide = "\n".join(str(c.value) for c in book[GUIDE_SHEET]["A"] if c.value)
    kr1 = progress("increase", 100, 200, 150)
    kr2 = progress("decrease", 40, 20, 35)
    objective = weighted_mean([(1, kr1), (2, kr2)])
    for value in (kr1, kr2, objective):
        assert f"= {value:.0%}" in guide
    assert "{{" not in guide


def _parent_workbook(tmp_path: Path) -> Path:
    """A company workbook made from the template with two objectives and a key result."""
    wb = openpyxl.load_workbook(build_template(tmp_path / "blank.xlsx"))
    ws = wb[SHEET]
    rows = [
        ("CO-O1", "Objective", None, "Grow revenue"),
        ("CO-KR1.1", "Key Result", "CO-O1", "Revenue  over\n10 M"),
        ("CO-O2", "Objective", None, "Delight customers"),
    ]
    for r, (item_id, kind, parent, title) in enumerate(rows, start=2):
        ws[f"A{r}"], ws[f"B{r}"], ws[f"C{r}"], ws[f"D{r}"] = item_id, kind, parent, title
        ws[f"G{r}"], ws[f"H{r}"], ws[f"K{r}"], ws[f"L{r}"] = "2026", "increase", 10, 5
    wb.save(tmp_path / "company.xlsx")
    return tmp_path / "company.xlsx"


def test_parents_fill_the_parent_dropdown_with_id_and_title(tmp_path: Path) -> None:
    company = _parent_workbook(tmp_path)
    wb = openpyxl.load_workbook(build_template(tmp_path / "sales.xlsx", parents=[company]))
    assert _named_values(wb, "ParentList") == [
        "CO-O1 · Grow revenue",
        "CO-KR1.1 · Revenue over 10 M",
        "CO-O2 · Delight customers",
    ]
    source = _validation_sources(wb[SHEET])[LETTER["parent"]][0]
    assert source == "Lists!$O$2:$O$4"


@pytest.mark.parametrize("content", [None, b"not a workbook", b"PK\x03\x04broken"])
def test_unreadable_parents_file_is_one_line_input_error(
    tmp_path: Path, content: bytes | None
) -> None:
    bad = tmp_path / "company.xlsx"
    if content is not None:
        bad.write_bytes(content)
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep me")
    with pytest.raises(InputError) as error:
        build_template(out, parents=[bad])
    message = str(error.value)
    assert "company.xlsx" in message and "\n" not in message
    assert out.read_bytes() == b"keep me"  # nothing written over the old file
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.xlsx", *(["company.xlsx"] if content is not None else [])]
    )


def test_bad_period_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="2026-Q5"):
        build_template(tmp_path / "t.xlsx", period="2026-Q5")


def test_cli_writes_a_chinese_template(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "x.xlsx"
    assert main(["template", "-o", str(out), "--lang", "zh-CN"]) == 0
    assert openpyxl.load_workbook(out)["目标与关键结果"]["A1"].value == "编号"
    assert str(out) in capsys.readouterr().out


def test_cli_reports_a_missing_parents_file_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = main(["template", "-o", str(tmp_path / "x.xlsx"), "--parents", "nope.xlsx"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("okr: ") and "nope.xlsx" in err and err.count("\n") == 1
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_tabs_prompts_and_guide_speak_the_templates_language(lang: str, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(build_template(tmp_path / "t.xlsx", lang=lang))
    tabs = [sheet_name(k, lang) for k in ("okrs", "checkins", "guide", "lists")]
    assert wb.sheetnames == tabs and wb.active.title == tabs[0]
    # Every defined name points into the Lists tab of this language.
    for name in wb.defined_names:
        sheet, _ = next(iter(wb.defined_names[name].destinations))
        assert sheet == tabs[3], name
    validations = {
        re.sub(r"\d", "", r.coord.split(":")[0]): dv
        for dv in wb[tabs[0]].data_validations.dataValidation
        for r in dv.sqref.ranges
    }
    parent = validations[LETTER["parent"]]
    checkin_ids = wb[tabs[1]].data_validations.dataValidation[0].formula1
    assert checkin_ids.startswith(sheet_ref(tabs[0]) + "!$A$2")
    guide = "\n".join(str(c.value) for c in wb[tabs[2]]["A"] if c.value)
    if lang == "zh-CN":
        assert tabs == ["目标与关键结果", "进展记录", "填写说明", "列表"]
        assert parent.formula1.startswith("'列表'!$O$2")
        assert "上级" in parent.prompt and "上级" in parent.error and parent.errorTitle
        assert "“目标与关键结果”工作表" in guide and "“列表”工作表" in guide
        assert not re.search(r"OKRs|Lists|Check-ins|Guide", guide)
        assert "SALES-KR1.1 · 关键结果 · 上级 SALES-O1" in guide
    else:
        assert tabs == [SHEET, CHECKINS_SHEET, GUIDE_SHEET, LISTS_SHEET]
        assert parent.formula1.startswith("Lists!$O$2") and parent.error is None
        assert "on the OKRs sheet" in guide and "the Lists sheet" in guide


#: The guide's worked example, with a mistake or two, as (ID, Type, Parent, Title,
#: Direction, Baseline, Target, Current, Weight) in English and Chinese words.
EXAMPLE = {
    "en": [
        ("SALES-O1", "Objective", "CO-O1", "Win the northern market", None, None, None, None, None),
        ("SALES-KR1.1", "Key Result", "SALES-O1", "New customers", "increase", 100, 200, 150, 1),
        ("SALES-KR1.2", "Key Result", "SALES-O1", "Days to close", "decrease", 40, 20, 35, 2),
        ("SALES-KR1.3", "Key Result", "SALES-O9", "Broken parent", "increase", 0, 10, 5, 1),
        ("SALES-KR1.4", "Key Result", "SALES-O1", "Target behind", "increase", 10, 5, 6, 1),
    ],
    "zh-CN": [
        ("SALES-O1", "目标", "CO-O1", "拿下北方市场", None, None, None, None, None),
        ("SALES-KR1.1", "关键结果", "SALES-O1", "北方新客户数", "增加", 100, 200, 150, 1),
        ("SALES-KR1.2", "关键结果", "SALES-O1", "成交周期（天）", "减少", 40, 20, 35, 2),
        ("SALES-KR1.3", "关键结果", "SALES-O9", "上级不存在", "增加", 0, 10, 5, 1),
        ("SALES-KR1.4", "关键结果", "SALES-O1", "目标值落后", "增加", 10, 5, 6, 1),
    ],
}


def _filled(tmp_path: Path, lang: str) -> Path:
    """A template in *lang* filled with the example rows and two check-ins, one mistaken."""
    wb = openpyxl.load_workbook(build_template(tmp_path / f"blank-{lang}.xlsx", lang=lang))
    ws = wb[sheet_name("okrs", lang)]
    keys = ("id", "type", "parent", "title", "direction", "baseline", "target", "current")
    for r, row in enumerate(EXAMPLE[lang], start=2):
        for key, value in zip((*keys, "weight"), row, strict=True):
            if value is not None:
                ws[f"{LETTER[key]}{r}"] = value
        ws[f"{LETTER['period']}{r}"] = "2026-Q4"
        ws[f"{LETTER['department']}{r}"] = "SALES"
    log = wb[sheet_name("checkins", lang)]
    log.append([date(2026, 11, 1), "SALES-KR1.1", 140, 0.8, ""])
    log.append([date(2026, 11, 2), "SALES-KR9.9", 1, None, ""])
    path = tmp_path / f"sales-{lang}.xlsx"
    wb.save(path)
    return path


def test_check_finds_the_same_problems_in_a_chinese_template(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    found = {}
    for lang in ("en", "zh-CN"):
        path = _filled(tmp_path, lang)
        code = main(["check", str(path), "--format", "json", "--as-of", "2026-11-15"])
        problems = json.loads(capsys.readouterr().out)["problems"]
        # Sorted here: the report orders by sheet name, which differs between languages.
        found[lang] = (
            code,
            sorted((p["code"], p["severity"], p["id"], p["cell"]) for p in problems),
        )
        sheets = {p["sheet"] for p in problems if p["sheet"]}
        assert sheets <= {sheet_name("okrs", lang), sheet_name("checkins", lang)}
    assert found["en"] == found["zh-CN"]
    codes = {c for c, *_ in found["en"][1]}
    assert {"unknown-parent", "target", "checkin"} <= codes
