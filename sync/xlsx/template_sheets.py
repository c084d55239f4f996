"""The computed sheets of okr_template.xlsx: OKRs (table, formulas, dropdowns) and Lists.

Lists holds what the dropdowns offer and what the formulas look up, under
defined names (see ``sync.xlsx.formulas``); OKRs is the table people fill
in, with Progress, Status and hidden helper columns as native formulas.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from okr.departments import display_name
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
    sheet_name,
    sheet_ref,
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


@dataclass(frozen=True)
class ListColumn:
    """One column of the Lists sheet: a header over the values a dropdown or lookup uses."""

    name: str
    col: int
    header: str
    values: tuple
    dates: bool = False
    #: the Lists tab's name as formulas write it (quoted when it must be)
    sheet: str = LISTS_SHEET

    @property
    def ref(self) -> str:
        """Its A1 range under the header, e.g. ``Lists!$A$2:$A$3``."""
        letter = xlsxwriter.utility.xl_col_to_name(self.col)
        return f"{self.sheet}!${letter}$2:${letter}${max(1, len(self.values)) + 1}"


@dataclass(frozen=True)
class ListsSpec:
    """What the Lists sheet holds, for the .xlsx and the Google Sheets template alike."""

    columns: tuple[ListColumn, ...]
    #: (defined name, label, value) of the settings block; value None means =TODAY()
    settings: tuple[tuple[str, str, object], ...]
    setting_header: str
    value_header: str
    #: defined name -> A1 range, for every name the formulas and dropdowns use
    ranges: dict[str, str]
    #: (first column, last column, width) of the columns in use
    widths: tuple[tuple[int, int, float], ...] = ()
    #: the defined name the Department dropdown offers, or "" for none
    department_source: str = ""


#: Columns of the settings block in Lists (label, value).
SETTING_COL, VALUE_COL = 20, 21
#: (first column, last column, width) of Lists, for both templates.
LIST_WIDTHS = (
    (0, 0, 12),
    (2, 3, 24),
    (5, 5, 12),
    (7, 8, 24),
    (10, 12, 11),
    (14, 14, 40),
    (16, 18, 16),
    (20, 20, 34),
    (21, 21, 12),
)
#: The column of the organisation's department names (``[departments]``), right of the settings.
DEPARTMENT_COL = 23


def lists_spec(
    lang: str,
    department: str | None,
    period: Period | None,
    years: Sequence[int],
    parents: list[str],
    as_of: date | None,
    departments: Mapping[str, str] | None = None,
) -> ListsSpec:
    """The Lists sheet: dropdown words, lookup tables, periods, parents and settings.

    *departments* (code -> name, ``[departments]`` of okr.toml) become a list
    of names the Department dropdown offers; *department* is then shown by name.
    """
    text = strings(lang)["lists"]
    sheet = sheet_ref(sheet_name("lists", lang))
    periods = [p for y in years for p in periods_of_year(y)]
    if period:
        # The default period leads the dropdown.
        periods = [period, *(p for p in periods if p.label != period.label)]
    columns = tuple(
        replace(c, sheet=sheet)
        for c in (
            ListColumn("TypeList", 0, text["types"], tuple(w[lang] for w in TYPE_WORDS.values())),
            ListColumn("TypeWords", 2, text["type_words"], tuple(TYPE_INDEX)),
            ListColumn(
                "TypeFlags",
                3,
                text["type_means"],
                tuple(_TYPE_FLAGS[k] for k in TYPE_INDEX.values()),
            ),
            ListColumn(
                "DirectionList",
                5,
                text["directions"],
                tuple(w[lang] for w in DIRECTION_WORDS.values()),
            ),
            ListColumn("DirectionWords", 7, text["direction_words"], tuple(DIRECTION_INDEX)),
            ListColumn(
                "DirectionKeys", 8, text["direction_means"], tuple(DIRECTION_INDEX.values())
            ),
            ListColumn("PeriodList", 10, text["period"], tuple(p.label for p in periods)),
            ListColumn("PeriodStarts", 11, text["start"], tuple(p.start for p in periods), True),
            ListColumn("PeriodEnds", 12, text["end"], tuple(p.end for p in periods), True),
            ListColumn("ParentList", 14, text["parents"], tuple(parents)),
            ListColumn("DoneWords", 16, text["done_words"], tuple(DONE_WORDS)),
            ListColumn(
                "StatusWords", 18, text["statuses"], tuple(w[lang] for w in STATUS_WORDS.values())
            ),
        )
    )
    widths = LIST_WIDTHS
    names = tuple(dict.fromkeys(departments.values())) if departments else ()
    if names:
        columns += (
            ListColumn("DepartmentList", DEPARTMENT_COL, text["departments"], names, sheet=sheet),
        )
        widths += ((DEPARTMENT_COL, DEPARTMENT_COL, 28),)
    if department:
        department = display_name(department, departments)
    ranges = {c.name: c.ref for c in columns}
    defaults = Settings()
    settings = (
        ("OnTrackRatio", text["on_track"], defaults.on_track_ratio),
        ("AtRiskRatio", text["at_risk"], defaults.at_risk_ratio),
        ("AsOfDate", text["as_of"], as_of),
        ("DefaultDepartment", text["department"], department or ""),
        ("DefaultPeriod", text["default_period"], period.label if period else ""),
    )
    value_letter = xlsxwriter.utility.xl_col_to_name(VALUE_COL)
    for i, (name, _, _) in enumerate(settings, start=1):
        ranges[name] = f"{sheet}!${value_letter}${i + 1}"
    ranges["TypeLookup"] = _block(ranges["TypeWords"], ranges["TypeFlags"])
    ranges["DirectionLookup"] = _block(ranges["DirectionWords"], ranges["DirectionKeys"])
    ranges["PeriodTable"] = _block(ranges["PeriodList"], ranges["PeriodEnds"])
    source = "DepartmentList" if names else "DefaultDepartment" if department else ""
    return ListsSpec(columns, settings, text["setting"], text["value"], ranges, widths, source)


def write_lists(
    wb: Workbook,
    ws: Worksheet,
    lang: str,
    department: str | None,
    period: Period | None,
    years: Sequence[int],
    parents: list[str],
    as_of: date | None,
    departments: Mapping[str, str] | None = None,
) -> ListsSpec:
    """Fill Lists, define the names the formulas use; the spec written (its ``ranges``)."""
    spec = lists_spec(lang, department, period, years, parents, as_of, departments)
    bold = wb.add_format({"bold": True})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.set_row(0, None, bold)
    for column in spec.columns:
        ws.write_string(0, column.col, column.header)
        for i, value in enumerate(column.values, start=1):
            if column.dates:
                ws.write(i, column.col, value, day)
            else:
                ws.write_string(i, column.col, str(value))
    ws.write_string(0, SETTING_COL, spec.setting_header)
    ws.write_string(0, VALUE_COL, spec.value_header)
    for i, (_, label, _) in enumerate(spec.settings, start=1):
        ws.write_string(i, SETTING_COL, label)
    for i, (_, _, value) in enumerate(spec.settings, start=1):
        if isinstance(value, date):
            ws.write_datetime(i, VALUE_COL, value, day)
        elif value is None:
            ws.write_formula(i, VALUE_COL, "=TODAY()", day, "")
        elif isinstance(value, str):
            ws.write_string(i, VALUE_COL, value)
        else:
            ws.write_number(i, VALUE_COL, value)
    for name, ref in sorted(spec.ranges.items()):
        wb.define_name(name, f"={ref}")
    for first, last, width in spec.widths:
        ws.set_column(first, last, width)
    ws.freeze_panes(1, 0)
    return spec


def _block(first: str, last: str) -> str:
    """The rectangle from the top-left of range *first* to the bottom-right of *last*."""
    return first.split(":")[0] + ":" + last.split(":")[1]


def _kind(column: Column) -> str:
    # Guard against a Column built positionally with its width in the kind slot.
    return column.kind if column.kind in _INPUT_FORMATS else "text"


def _width(column: Column) -> float:
    return column.width if not isinstance(column.width, bool) else Column.width


def write_okrs(wb: Workbook, ws: Worksheet, lang: str, spec: ListsSpec) -> None:
    """The OKRs table: headers, input cells, formulas, dropdowns, formatting, protection."""
    ranges = spec.ranges
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
        if prompts.get(f"{key}_error"):
            options["error_title"] = prompts[f"{key}_error_title"]
            options["error_message"] = prompts[f"{key}_error"]
        ws.data_validation(first, col(key), last, col(key), options)

    dropdown("type", ranges["TypeList"])
    dropdown("direction", ranges["DirectionList"])
    dropdown("period", ranges["PeriodList"])
    # A warning, not a stop: people may type an ID of this sheet or a list of
    # parents with shares ("CO-O1 60%; CO-O2 40%") and confirm it.
    dropdown("parent", ranges["ParentList"], "warning")
    # The organisation's names warn on a name not in the list (a team may be new);
    # a single prefilled name only informs.
    if spec.department_source == "DepartmentList":
        dropdown("department", ranges["DepartmentList"], "warning")
    elif spec.department_source:
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
