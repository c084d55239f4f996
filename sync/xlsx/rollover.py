"""Writing the next period's department workbook: the current template, carried rows typed in.

The workbook is made by ``okr template`` (same sheets, formulas, dropdowns,
language and department; the Parent dropdown from the new parents) and the
carried rows are typed into its OKRs sheet as values, then the file is
renamed into place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from okr.model import Item
from okr.schema import COLUMNS, DIRECTION_WORDS, LETTER, TYPE_WORDS, normalise, sheet_name
from okr.shares import parent_text
from sync.errors import InputError
from sync.xlsx.atomic import write_atomic
from sync.xlsx.formulas import FIRST_ROW, ROWS
from sync.xlsx.reading import find_okr_sheet
from sync.xlsx.template import build_template

_ZH_HEADERS = {normalise(c.zh) for c in COLUMNS} - {normalise(c.en) for c in COLUMNS}


def language_of(path: Path) -> str:
    """``zh-CN`` when the workbook's OKR headers are Chinese, else ``en``."""
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = find_okr_sheet(book.sheet_names)
        rows = book.get_sheet_by_name(sheet).to_python()[:20] if sheet else []
    except Exception:  # noqa: BLE001 - the reader already accepted the file
        return "en"
    for row in rows:
        hits = sum(isinstance(v, str) and normalise(v) in _ZH_HEADERS for v in row)
        if hits >= 3:
            return "zh-CN"
    return "en"


def _cells(item: Item, lang: str) -> dict[str, object]:
    values: dict[str, object] = {
        "id": item.id,
        "type": TYPE_WORDS[item.kind][lang] if item.kind else None,
        "parent": parent_text(item),
        "title": item.title,
        "owner": item.owner,
        "department": item.department,
        "period": item.period_label,
        "direction": DIRECTION_WORDS[item.direction][lang] if item.direction else None,
        "unit": item.unit,
        "baseline": item.baseline,
        "target": item.target,
        "weight": None if item.weight == 1.0 else item.weight,
        "confidence": item.confidence,
        "metric": item.metric,
        "notes": item.notes,
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


def write_next_period(
    items: Sequence[Item],
    out: Path,
    *,
    lang: str,
    period: str,
    parents: Sequence[Path] = (),
) -> Path:
    """Write *items* (already carried into *period*) as a new workbook at *out*."""
    if len(items) > ROWS:
        raise InputError(f"{out.name}: {len(items)} rows carried, over the template's {ROWS}")
    counts = Counter(i.department for i in items if i.department)
    department = counts.most_common(1)[0][0] if counts else None

    def write(tmp: str) -> None:
        build_template(tmp, lang=lang, department=department, period=period, parents=parents)
        wb = openpyxl.load_workbook(tmp)
        ws = wb[sheet_name("okrs", lang)]
        for r, item in enumerate(items, start=FIRST_ROW):
            for key, value in _cells(item, lang).items():
                cell = ws[f"{LETTER[key]}{r}"]
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text typed by people is never a formula
        wb.save(tmp)

    out.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(out, write)
