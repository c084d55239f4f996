"""The template's Progress and Status formulas give the same numbers as okr/.

Fill a copy of the template with varied rows, pin AsOfDate, let LibreOffice
recompute every formula, read the result back and compare each row with
okr.scoring and okr.status applied to the same cells.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from okr.model import Item
from okr.periods import periods_of_year
from okr.reading import read_table
from okr.rollup import score_all
from okr.schema import KEYS, LETTER, STATUS_INDEX, normalise, sheet_name
from okr.scoring import progress, weighted_mean
from okr.status import status
from sync.xlsx.template import DEFAULT_YEARS, build_template
from tests.libreoffice import libreoffice, recalculate  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.libreoffice, pytest.mark.usefixtures("libreoffice")]

AS_OF = date(2026, 11, 15)  # half way through 2026-Q4 and through 2026-11
OBJ, KR = "Objective", "Key Result"

# ID, Type, Parent, Period, Direction, Baseline, Target, Current, Weight
ROWS_EN: list[tuple] = [
    ("SALES-O1", OBJ, "CO-O1 · Grow revenue", "2026-Q4", None, None, None, None, None),
    ("SALES-KR1.1", KR, "SALES-O1", "2026-Q4", "increase", 100, 200, 150, 1),
    ("SALES-KR1.2", KR, "SALES-O1 · Win the north", "2026-Q4", "decrease", 40, 20, 35, 2),
    ("SALES-KR1.3", KR, "SALES-O1", "2026-Q4", "at least", None, 10, 12, None),
    ("SALES-KR1.4", KR, "SALES-O1", "2026-Q4", "at most", None, 5, 7, 0),
    ("SALES-O2", OBJ, "CO-O1", "2026", None, None, None, None, None),
    ("SALES-KR2.1", KR, "SALES-O2", "2026", "increase", 0, 50, 80, 1),  # over-achieved
    ("SALES-KR2.2", KR, "SALES-O2", "2026", "increase", 100, 80, 90, 1),  # target below base
    ("SALES-KR2.3", KR, "SALES-O2", "2026", "increase", 10, 20, None, 1),  # empty Current
    ("SALES-KR2.4", KR, "SALES-O2", "2026", "milestone", None, None, "done", 2.5),
    ("SALES-KR2.5", KR, "SALES-O2", "2026", "milestone", None, None, "no", 1),
    ("SALES-O3", OBJ, "CO-O2", "2027-Q1", None, None, None, None, None),  # not started
    ("SALES-KR3.1", KR, "SALES-O3", "2027-Q1", "milestone", None, None, "是", 1),
    ("SALES-KR3.2", KR, "SALES-O3", "2027-Q1", "milestone", None, None, 1, 1),
    ("SALES-KR3.3", KR, "SALES-O3", "2027-Q1", "milestone", None, None, True, 1),
    ("SALES-KR3.4", KR, "SALES-O3", "2027-Q1", "Milestone", None, None, "Done", 1),
    ("SALES-O4", OBJ, "CO-O2", "2025-Q4", None, None, None, None, None),  # past
    ("SALES-KR4.1", KR, "SALES-O4", "2025-Q4", "decrease", 10, 20, 5, 1),  # target above base
    ("SALES-KR4.2", KR, "SALES-O4", "2025-Q4", "at least", None, 10, 9, 1),
    ("SALES-KR4.3", KR, "SALES-O4", "2025-Q4", "at most", None, 10, 10, 1),
    ("SALES-KR4.4", KR, "SALES-O4", "2025-Q4", "increase", None, 10, 9.5, 1),
    ("SALES-KR4.5", KR, "SALES-O4", "2025-Q4", "增加", 0, 4, 3, 1),
    ("SALES-KR4.6", KR, "SALES-O4", "2025-Q4", "降低", 50, 10, 45, 1),
    ("SALES-O5", OBJ, "CO-O3", "2026-Q4", None, None, None, None, None),  # no key results
    ("SALES-O6", OBJ, "CO-O3", "2026-Q4", None, None, None, None, None),  # weights sum to 0
    ("SALES-KR6.1", KR, "SALES-O6", "2026-Q4", "increase", 0, 10, 5, 0),
    ("SALES-O7", OBJ, "CO-O3", "2026-H2", None, None, None, None, None),
    ("SALES-KR7.1", "kr", "SALES-O7", "2026-H2", "up", 0, 10, 6, 1),
    ("SALES-KR7.2", "关键结果", "SALES-O7", "2026-h2", "至少", None, 3, 3, 1),
    ("SALES-KR7.3", "key-result", "SALES-O7", "2026-H2", "at_most", None, 3, 4, 1),
    ("SALES-KR7.4", KR, "SALES-O7", "2026-H2", "milestone", None, None, 0, 1),
    ("SALES-KR7.5", KR, "SALES-O7", "2026-H2", "sideways", 0, 10, 5, 1),  # unknown direction
    ("SALES-KR7.6", KR, "SALES-O7", "2026-H2", "increase", "1,000.0", "2,000.0", "1,500.0", "2"),
    ("SALES-O8", OBJ, "CO-O4", "2026-11", None, None, None, None, None),
    ("SALES-KR8.1", KR, "SALES-O8", "2026-11", "increase", 0, 100, 45, 1),  # = on-track line
    ("SALES-KR8.2", KR, "SALES-O8", "2026-11", "increase", 0, 100, 30, 1),  # = at-risk line
    ("SALES-KR8.3", KR, "SALES-O8", "2026-Q5", "increase", 0, 100, 30, 1),  # bad period
    ("SALES-KR8.4", KR, "SALES-O8", "2031-Q1", "increase", 0, 100, 30, 1),  # not in Lists
    ("SALES-KR8.5", KR, "  SALES-O8  ", 2026, "decrease", 100, 0, 20.5, 1),
    # Objectives serving several parents with shares: their own progress is unchanged.
    ("SALES-O9", OBJ, "CO-O1 60%; CO-O2 40%", "2026-Q4", None, None, None, None, 2),
    ("SALES-KR9.1", KR, "SALES-O9", "2026-Q4", "increase", 0, 10, 4, 1),
    ("SALES-KR9.2", KR, "SALES-O9", "2026-Q4", "at least", None, 5, 6, 3),
    (
        "SALES-O10",
        OBJ,
        "CO-O1 0.5\nCO-O3 · Keep customers 0.5",
        "2026-Q4",
        None,
        None,
        None,
        None,
        None,
    ),
    ("SALES-KR10.1", KR, "SALES-O10", "2026-Q4", "decrease", 10, 0, 5, 1),
]

ROWS_ZH: list[tuple] = [
    ("HR-O1", "目标", "CO-O1 · 提升收入", "2026-Q4", None, None, None, None, None),
    ("HR-KR1.1", "关键结果", "HR-O1", "2026-Q4", "增加", 10, 30, 14, 1),
    ("HR-KR1.2", "关键结果", "HR-O1", "2026-Q4", "减少", 20, 10, 12, 3),
    ("HR-KR1.3", "关键结果", "HR-O1 · 招聘", "2026-Q4", "里程碑", None, None, "已完成", 1),
    ("HR-KR1.4", "关键结果", "HR-O1", "2026-Q4", "至多", None, 5, 6, 1),
    ("HR-O2", "目标", "CO-O2", "2027", None, None, None, None, None),
    ("HR-KR2.1", "关键结果", "HR-O2", "2027", "里程碑", None, None, "完成", 1),
    ("HR-O3", "目标", "CO-O2", "2026-Q3", None, None, None, None, None),
    ("HR-KR3.1", "关键结果", "HR-O3", "2026-Q3", "不低于", None, 80, 79, 1),
    ("HR-KR3.2", "关键结果", "HR-O3", "2026-Q3", "提高", 0, 80, 70, 1),
    ("HR-O4", "目标", "CO-O1 60%；CO-O2 40%", "2026-Q4", None, None, None, None, None),
    ("HR-KR4.1", "关键结果", "HR-O4", "2026-Q4", "增加", 0, 10, 7, 1),
]
_INPUT_KEYS = ("id", "type", "parent", "period", "direction", "baseline", "target", "current")


def _fill(template: Path, rows: list[tuple], dst: Path, lang: str = "en") -> Path:
    """Type *rows* into a copy of *template* as a user would, and pin AsOfDate."""
    wb = openpyxl.load_workbook(template)
    ws = wb[sheet_name("okrs", lang)]
    for r, values in enumerate(rows, start=2):
        cells = dict(zip((*_INPUT_KEYS, "weight"), values, strict=True))
        cells |= {"title": f"Row {r}", "owner": "ana@example.com", "department": "SALES"}
        for key, value in cells.items():
            if value is not None:
                ws[f"{LETTER[key]}{r}"] = value
    sheet, cell = next(iter(wb.defined_names["AsOfDate"].destinations))
    wb[sheet][cell.replace("$", "")] = AS_OF
    wb.save(dst)
    return dst


def _expected(items: list[Item], listed: set[str]) -> dict[str, tuple[float | None, str | None]]:
    """Progress and status of every row as okr/ computes them."""
    scores = {
        i.id: progress(i.direction, i.baseline, i.target, i.current)
        for i in items
        if i.is_key_result
    }
    result = {}
    for item in items:
        if item.is_key_result:
            value = scores[item.id]
        elif item.is_objective:
            krs = [k for k in items if k.is_key_result and k.parent == item.id]
            value = weighted_mean((k.weight, scores[k.id]) for k in krs)
        else:
            value = None
        # The sheet knows the dates of the periods on its Lists sheet only.
        period = item.period if item.period and item.period.label in listed else None
        result[item.id] = (value, status(value, period, AS_OF))
    # The same own progress as okr.rollup gives, share lists included.
    own = score_all(items, AS_OF)
    for item in items:
        if item.is_objective or item.is_key_result:
            assert own[item.id].progress == pytest.approx(result[item.id][0]), item.id
    return result


def check_template(
    tmp_path: Path, lang: str, rows: list[tuple], template: Path | None = None
) -> set[str | None]:
    """Compare every filled row of *template* (the .xlsx one by default); the statuses seen."""
    template = template or build_template(tmp_path / f"template-{lang}.xlsx", lang=lang)
    filled = _fill(template, rows, tmp_path / f"filled-{lang}.xlsx", lang)
    out = recalculate(filled, tmp_path / "out")
    book = CalamineWorkbook.from_path(str(out))
    tab = sheet_name("okrs", lang)
    assert book.sheet_names[0] == tab
    grid = book.get_sheet_by_name(tab).to_python(skip_empty_area=False)
    table = read_table(grid, out.name, tab)
    assert len(table.items) == len(rows)
    listed = {p.label for y in DEFAULT_YEARS for p in periods_of_year(y)}
    expected = _expected(list(table.items), listed)
    q, s = KEYS.index("progress"), KEYS.index("status")
    seen = set()
    for item in table.items:
        cells = grid[item.where.row - 1]
        want_progress, want_status = expected[item.id]
        if want_progress is None:
            assert cells[q] == "", item.id
        else:
            assert cells[q] == pytest.approx(want_progress, abs=1e-9), item.id
        got_status = STATUS_INDEX.get(normalise(cells[s])) if cells[s] != "" else None
        assert got_status == want_status, (item.id, cells[s])
        seen.add(got_status)
    # Rows below the filled ones stay empty in every formula column.
    assert all(v == "" for v in grid[len(rows) + 1][q:])
    return seen


def test_formulas_agree_with_okr_in_english(tmp_path: Path) -> None:
    seen = check_template(tmp_path, "en", ROWS_EN)
    assert len(ROWS_EN) >= 30
    assert seen == {"on track", "at risk", "off track", "not started", None}


def test_formulas_agree_with_okr_in_chinese(tmp_path: Path) -> None:
    seen = check_template(tmp_path, "zh-CN", ROWS_ZH)
    assert seen == {"on track", "at risk", "off track", "not started"}
