"""The computed sheets of okr_template.xlsx: OKRs (table, formulas, dropdowns) and Lists.

Lists holds what the dropdowns offer and what the formulas look up, under
defined names (see ``sync.template_formulas``); OKRs is the table people fill
in, with Progress, Status and hidden helper columns as native formulas.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from okr.periods import Period, periods_of_year
from okr.schema import (
    COLUMNS,
    DIRECTION_INDEX,
    DIRECTION_WORDS,
    DONE_WORDS,
    LETTER,
    LISTS_SHEET,
    STATUS_WORDS,
    TABLE_NAME,
    TYPE_INDEX,
    TYPE_WORDS,
    Column,
)
from okr.settings import Settings
from sync.xlsx.formulas import (
    FIRST_ROW,
    HELPER_HEADERS,
    HELPER_START,
    HELPERS,
    LAST_ROW,
    row_formulas,
)
from sync.xlsx.styles import PROGRESS_BAR, STATUS_COLOURS

# In a clone: templates/ at the top; in an installed wheel: sync/templates.
_SYNC = Path(__file__).resolve().parent.parent
TEMPLATES = next(
    (p for p in (_SYNC.parent / "templates", _SYNC / "templates") if p.is_dir()),
    _SYNC.parent / "templates",
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)} | {
    key: HELPER_START + j for j, key in enumerate(HELPERS)
}
_TYPE_FLAGS = {"objective": "O", "key result": "K"}
_INPUT_FORMATS = {"text": "@", "number": "General", "percent": "0%", "date": "yyyy-mm-dd hh:mm"}


@cache
def strings(lang: str) -> dict:
    """The texts of templates/strings.toml in *lang*."""
    with (TEMPLATES / "strings.toml").open("rb") as fh:
        return tomllib.load(fh)[lang]


def _list_column(ws: Worksheet, col: int, header: str, values: Sequence, fmt=None) -> str:
    """Write a header and values down one column of Lists; return its A1 range."""
    ws.write_string(0, col, header)
    for i, value in enumerate(values, start=1):
        if fmt:
            ws.write(i, col, value, fmt)
        else:
            ws.write_string(i, col, str(value))
    last = max(1, len(values))
    letter = xlsxwriter.utility.xl_col_to_name(col)
    return f"{LISTS_SHEET}!${letter}$2:${letter}${last + 1}"


def write_lists(
    wb: Workbook,
    ws: Worksheet,
    lang: str,
    department: str | None,
    period: Period | None,
    years: Sequence[int],
    parents: list[str],
    as_of: date | None,
) -> dict[str, str]:
    """Fill Lists, define the names the formulas use, return name -> A1 range."""
    text = strings(lang)["lists"]
    bold = wb.add_format({"bold": True})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.set_row(0, None, bold)
    periods = [p for y in years for p in periods_of_year(y)]
    if period:
        # The default period leads the dropdown.
        periods = [period, *(p for p in periods if p.label != period.label)]
    ranges = {
        "TypeList": _list_column(ws, 0, text["types"], [w[lang] for w in TYPE_WORDS.values()]),
        "TypeWords": _list_column(ws, 2, text["type_words"], list(TYPE_INDEX)),
        "TypeFlags": _list_column(
            ws, 3, text["type_means"], [_TYPE_FLAGS[k] for k in TYPE_INDEX.values()]
        ),
        "DirectionList": _list_column(
            ws, 5, text["directions"], [w[lang] for w in DIRECTION_WORDS.values()]
        ),
        "DirectionWords": _list_column(ws, 7, text["direction_words"], list(DIRECTION_INDEX)),
        "DirectionKeys": _list_column(
            ws, 8, text["direction_means"], list(DIRECTION_INDEX.values())
        ),
        "PeriodList": _list_column(ws, 10, text["period"], [p.label for p in periods]),
        "PeriodStarts": _list_column(ws, 11, text["start"], [p.start for p in periods], day),
        "PeriodEnds": _list_column(ws, 12, text["end"], [p.end for p in periods], day),
        "ParentList": _list_column(ws, 14, text["parents"], parents),
        "DoneWords": _list_column(ws, 16, text["done_words"], list(DONE_WORDS)),
        "StatusWords": _list_column(
            ws, 18, text["statuses"], [w[lang] for w in STATUS_WORDS.values()]
        ),
    }
    settings = Settings()
    ws.write_string(0, 20, text["setting"])
    ws.write_string(0, 21, text["value"])
    rows = ("OnTrackRatio", "AtRiskRatio", "AsOfDate", "DefaultDepartment", "DefaultPeriod")
    labels = ("on_track", "at_risk", "as_of", "department", "default_period")
    value_letter = xlsxwriter.utility.xl_col_to_name(21)
    for i, (name, label) in enumerate(zip(rows, labels, strict=True), start=1):
        ws.write_string(i, 20, text[label])
        ranges[name] = f"{LISTS_SHEET}!${value_letter}${i + 1}"
    ws.write_number(1, 21, settings.on_track_ratio)
    ws.write_number(2, 21, settings.at_risk_ratio)
    if as_of:
        ws.write_datetime(3, 21, as_of, day)
    else:
        ws.write_formula(3, 21, "=TODAY()", day, "")
    ws.write_string(4, 21, department or "")
    ws.write_string(5, 21, period.label if period else "")
    ranges["TypeLookup"] = _block(ranges["TypeWords"], ranges["TypeFlags"])
    ranges["DirectionLookup"] = _block(ranges["DirectionWords"], ranges["DirectionKeys"])
    ranges["PeriodTable"] = _block(ranges["PeriodList"], ranges["PeriodEnds"])
    for name, ref in sorted(ranges.items()):
        wb.define_name(name, f"={ref}")
    for first, last, width in ((0, 0, 12), (2, 3, 24), (5, 5, 12), (7, 8, 24), (10, 12, 11)):
        ws.set_column(first, last, width)
    ws.set_column(14, 14, 40)
    ws.set_column(16, 18, 16)
    ws.set_column(20, 20, 34)
    ws.set_column(21, 21, 12)
    ws.freeze_panes(1, 0)
    return ranges


def _block(first: str, last: str) -> str:
    """The rectangle from the top-left of range *first* to the bottom-right of *last*."""
    return first.split(":")[0] + ":" + last.split(":")[1]


def _kind(column: Column) -> str:
    # Guard against a Column built positionally with its width in the kind slot.
    return column.kind if column.kind in _INPUT_FORMATS else "text"


def _width(column: Column) -> float:
    return column.width if not isinstance(column.width, bool) else Column.width


def write_okrs(
    wb: Workbook, ws: Worksheet, lang: str, ranges: dict[str, str], department: str | None
) -> None:
    """The OKRs table: headers, input cells, formulas, dropdowns, formatting, protection."""
    prompts = strings(lang)["prompts"]
    last_col = len(COLUMNS) - 1
    inputs = {
        k: wb.add_format({"locked": False, "num_format": f}) for k, f in _INPUT_FORMATS.items()
    }
    computed = wb.add_format({"bg_color": "#F2F2F2", "num_format": "0%"})
    status_fmt = wb.add_format({"bg_color": "#F2F2F2"})
    helper = wb.add_format({"font_color": "#808080"})
    header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    cell_formats = {"progress": computed, "status": status_fmt}
    for i, column in enumerate(COLUMNS):
        fmt = cell_formats.get(column.key) or inputs[_kind(column)]
        ws.set_column(i, i, _width(column), fmt)
    ws.add_table(
        0,
        0,
        LAST_ROW - 1,
        last_col,
        {
            "name": TABLE_NAME,
            "style": "Table Style Medium 2",
            "columns": [{"header": c.header(lang), "header_format": header} for c in COLUMNS],
        },
    )
    for j, key in enumerate(HELPERS):
        ws.write_string(0, HELPER_START + j, HELPER_HEADERS[key])
    for row in range(FIRST_ROW, LAST_ROW + 1):
        formulas = row_formulas(row, lang)
        for i, column in enumerate(COLUMNS):
            if column.key not in cell_formats:
                ws.write_blank(row - 1, i, None, inputs[_kind(column)])
        for key, formula in formulas.items():
            # Cached value "": what every formula gives on an empty row.
            ws.write_formula(row - 1, COLUMN_INDEX[key], formula, cell_formats.get(key, helper), "")
    ws.set_column(HELPER_START, HELPER_START + len(HELPERS) - 1, 12, helper, {"hidden": True})
    first, last = FIRST_ROW - 1, LAST_ROW - 1

    def col(key: str) -> int:
        return COLUMN_INDEX[key]

    def dropdown(key: str, source: str, error_type: str = "warning") -> None:
        options = {"validate": "list", "source": f"={source}", "error_type": error_type}
        if key in prompts:
            options["input_message"] = prompts[key]
        ws.data_validation(first, col(key), last, col(key), options)

    dropdown("type", ranges["TypeList"])
    dropdown("direction", ranges["DirectionList"])
    dropdown("period", ranges["PeriodList"])
    # 'information' lets people type an objective ID of this sheet too.
    dropdown("parent", ranges["ParentList"], "information")
    if department:
        dropdown("department", ranges["DefaultDepartment"], "information")
    ws.data_validation(
        first,
        col("weight"),
        last,
        col("weight"),
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_type": "warning",
            "input_message": prompts["weight"],
        },
    )
    progress_range = f"{LETTER['progress']}{FIRST_ROW}:{LETTER['progress']}{LAST_ROW}"
    ws.conditional_format(progress_range, PROGRESS_BAR)
    status_range = f"{LETTER['status']}{FIRST_ROW}:{LETTER['status']}{LAST_ROW}"
    for key, (fill, font) in STATUS_COLOURS.items():
        ws.conditional_format(
            status_range,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{STATUS_WORDS[key][lang]}"',
                "format": wb.add_format({"bg_color": fill, "font_color": font}),
            },
        )
    ws.freeze_panes(1, 1)
    ws.set_row(0, 30)
    # No password: protection only stops accidental typing over formulas.
    ws.protect(
        "",
        {"format_columns": True, "format_rows": True, "autofilter": True, "sort": True},
    )
