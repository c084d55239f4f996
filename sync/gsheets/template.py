"""``okr template --google``: the department template as a Google Sheet, in 4 API calls.

Built from the same spec as okr_template.xlsx: the columns and header words
of ``okr.schema``, the Lists sheet of ``sync.template_sheets.lists_spec``
(dropdown words, lookups, periods, parents, settings, defined names), the
formulas of ``sync.template_formulas`` (the same text: Sheets understands
every function they use) and the guide of ``templates/guide.<lang>.md``.

Calls: Drive ``files.create`` (in ``[google] folder_id``), one
``spreadsheets:batchUpdate`` with every request (tabs, typed cells, formats,
named ranges, dropdowns, conditional formats, warning-only protection of the
formula columns, frozen headers), one ``values:batchUpdate`` (USER_ENTERED)
with the formulas only, and one ``permissions.create`` per ``share_with``
address. Text that comes from other workbooks (the Parent list) is written
as typed string cells, so it can never become a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from okr.departments import display_name
from okr.periods import Period
from okr.schema import COLUMNS, LETTER, STATUS_WORDS, sheet_name, sheet_ref
from sync.gsheets.cells import (
    CHECKINS_ID,
    DAY,
    GREY,
    GUIDE_ID,
    LISTS_ID,
    NUMBER_FORMATS,
    OKRS_ID,
    cell,
    col_letter,
    col_width,
    dropdown,
    grid_range,
    rect,
    rgb,
    rows,
)
from sync.gsheets.client import GoogleApi, GoogleConfig, sheet_url
from sync.xlsx.formulas import FIRST_ROW, HELPER_HEADERS, HELPER_START, HELPERS, LAST_ROW
from sync.xlsx.formulas import row_formulas as template_row_formulas
from sync.xlsx.styles import STATUS_COLOURS
from sync.xlsx.template import CHECKIN_ROWS, guide_lines, guide_values
from sync.xlsx.template_sheets import (
    COLUMN_INDEX,
    SETTING_COL,
    VALUE_COL,
    lists_spec,
    strings,
)


def template_requests(
    lang: str,
    department: str | None,
    period: Period | None,
    years: Sequence[int],
    parents: list[str],
    as_of: date | None,
    departments: Mapping[str, str] | None = None,
) -> tuple[list[dict], list[dict]]:
    """The ``spreadsheets:batchUpdate`` requests and the ``values:batchUpdate`` data.

    *departments* (code -> name) fill the Department dropdown as in the .xlsx.
    """
    spec = lists_spec(lang, department, period, years, parents, as_of, departments)
    prompts = strings(lang)["prompts"]
    okrs_tab, lists_tab = sheet_name("okrs", lang), sheet_name("lists", lang)
    ncols = HELPER_START + len(HELPERS)
    bold = {"textFormat": {"bold": True}}
    grid = {"rowCount": LAST_ROW, "columnCount": ncols, "frozenRowCount": 1, "frozenColumnCount": 1}
    reqs: list[dict] = [
        {
            "updateSheetProperties": {
                "properties": {"sheetId": OKRS_ID, "title": okrs_tab, "gridProperties": grid},
                "fields": "title,gridProperties",
            }
        },
        {
            "addSheet": {
                "properties": {
                    "sheetId": CHECKINS_ID,
                    "title": sheet_name("checkins", lang),
                    "index": 1,
                    "gridProperties": {
                        "rowCount": CHECKIN_ROWS + 1,
                        "columnCount": 5,
                        "frozenRowCount": 1,
                    },
                }
            }
        },
        {
            "addSheet": {
                "properties": {
                    "sheetId": GUIDE_ID,
                    "title": sheet_name("guide", lang),
                    "index": 2,
                    "gridProperties": {"rowCount": 200, "columnCount": 1, "hideGridlines": True},
                }
            }
        },
        {
            "addSheet": {
                "properties": {
                    "sheetId": LISTS_ID,
                    "title": lists_tab,
                    "index": 3,
                    "gridProperties": {
                        "rowCount": 200,
                        "columnCount": max(VALUE_COL, *(c.col for c in spec.columns)) + 1,
                        "frozenRowCount": 1,
                    },
                }
            }
        },
    ]
    # OKRs: headers (table columns, then the hidden helpers), formats, widths.
    header = {"textFormat": {"bold": True}, "wrapStrategy": "WRAP", "verticalAlignment": "TOP"}
    reqs.append(rows(OKRS_ID, 0, 0, [[cell(c.header(lang), header) for c in COLUMNS]]))
    reqs.append(rows(OKRS_ID, 0, HELPER_START, [[cell(HELPER_HEADERS[k]) for k in HELPERS]]))
    body = rect(OKRS_ID, FIRST_ROW - 1, LAST_ROW, 0, 0)
    for i, column in enumerate(COLUMNS):
        rng = {**body, "startColumnIndex": i, "endColumnIndex": i + 1}
        fmt: dict[str, Any] = {}
        if column.key in ("progress", "status"):
            fmt = {"backgroundColor": GREY}
            if column.key == "progress":
                fmt["numberFormat"] = NUMBER_FORMATS["percent"]
        elif column.kind in NUMBER_FORMATS:
            fmt = {"numberFormat": NUMBER_FORMATS[column.kind]}
        if fmt:
            fields = ",".join(f"userEnteredFormat.{k}" for k in fmt)
            reqs.append(
                {"repeatCell": {"range": rng, "cell": {"userEnteredFormat": fmt}, "fields": fields}}
            )
        reqs.append(col_width(OKRS_ID, i, i, float(column.width)))
    reqs.append(col_width(OKRS_ID, HELPER_START, ncols - 1, 12, hidden=True))

    # Dropdowns from Lists, as the .xlsx has them.
    def col(key: str) -> dict:
        i = COLUMN_INDEX[key]
        return {**body, "startColumnIndex": i, "endColumnIndex": i + 1}

    for key, name, strict in (
        ("type", "TypeList", False),
        ("direction", "DirectionList", False),
        ("period", "PeriodList", False),
        ("parent", "ParentList", False),
    ):
        reqs.append(dropdown(col(key), spec.ranges[name], strict, prompts.get(key)))
    if spec.department_source:
        reqs.append(dropdown(col("department"), spec.ranges[spec.department_source], False, None))
    reqs.append(
        {
            "setDataValidation": {
                "range": col("weight"),
                "rule": {
                    "condition": {
                        "type": "NUMBER_GREATER_THAN_EQ",
                        "values": [{"userEnteredValue": "0"}],
                    },
                    "strict": False,
                    "inputMessage": prompts["weight"],
                },
            }
        }
    )
    # Status colours and a progress gradient (Sheets has no data bars).
    for key, (fill, font) in STATUS_COLOURS.items():
        rule = {
            "ranges": [col("status")],
            "booleanRule": {
                "condition": {
                    "type": "TEXT_EQ",
                    "values": [{"userEnteredValue": STATUS_WORDS[key][lang]}],
                },
                "format": {
                    "backgroundColor": rgb(fill),
                    "textFormat": {"foregroundColor": rgb(font)},
                },
            },
        }
        reqs.append({"addConditionalFormatRule": {"rule": rule, "index": 0}})
    reqs.append(
        {
            "addConditionalFormatRule": {
                "index": 0,
                "rule": {
                    "ranges": [col("progress")],
                    "gradientRule": {
                        "minpoint": {"color": rgb("#FFFFFF"), "type": "NUMBER", "value": "0"},
                        "maxpoint": {"color": rgb("#63BE7B"), "type": "NUMBER", "value": "1"},
                    },
                },
            }
        }
    )
    # Sheets protects by editors: warnings keep people from typing over formulas.
    for rng, what in (
        (
            col("progress") | {"endColumnIndex": COLUMN_INDEX["status"] + 1},
            prompts["protect_formulas"],
        ),
        (
            {**body, "startColumnIndex": HELPER_START, "endColumnIndex": ncols},
            prompts["protect_helpers"],
        ),
        ({"sheetId": LISTS_ID}, prompts["protect_lists"]),
    ):
        reqs.append(
            {
                "addProtectedRange": {
                    "protectedRange": {"range": rng, "description": what, "warningOnly": True}
                }
            }
        )
    # Check-ins: headers, dropdown of this sheet's IDs, dates.
    checkin_headers = strings(lang)["checkins_headers"]
    reqs.append(rows(CHECKINS_ID, 0, 0, [[cell(h, bold) for h in checkin_headers]]))
    ids = f"{sheet_ref(okrs_tab)}!${LETTER['id']}${FIRST_ROW}:${LETTER['id']}${LAST_ROW}"
    reqs.append(
        dropdown(rect(CHECKINS_ID, 1, CHECKIN_ROWS + 1, 1, 2), ids, False, prompts["checkin_id"])
    )
    reqs.append(
        {
            "setDataValidation": {
                "range": rect(CHECKINS_ID, 1, CHECKIN_ROWS + 1, 0, 1),
                "rule": {
                    "condition": {
                        "type": "DATE_AFTER",
                        "values": [{"userEnteredValue": "2000-01-01"}],
                    },
                    "strict": False,
                },
            }
        }
    )
    for i, chars in enumerate((12, 16, 12, 11, 60)):
        reqs.append(col_width(CHECKINS_ID, i, i, chars))
    # Guide: the same text as the .xlsx.
    shown = display_name(department, departments) if department else department
    lines = [ln for ln in guide_lines(lang, guide_values(shown, period, lang)) if ln.strip()]
    guide_rows = []
    for line in lines:
        if line.startswith("# "):
            guide_rows.append([cell(line[2:], {"textFormat": {"bold": True, "fontSize": 16}})])
        elif line.startswith("## "):
            guide_rows.append([cell(line[3:], {"textFormat": {"bold": True, "fontSize": 12}})])
        else:
            text = "• " + line[2:] if line.startswith("- ") else line
            guide_rows.append([cell(text, {"wrapStrategy": "WRAP"})])
    reqs.append(rows(GUIDE_ID, 0, 0, guide_rows))
    reqs.append(col_width(GUIDE_ID, 0, 0, 110))
    # Lists: columns, settings, defined names.
    for column in spec.columns:
        cells = [[cell(column.header, bold)]] + [
            [cell(v if column.dates else str(v))] for v in column.values
        ]
        reqs.append(rows(LISTS_ID, 0, column.col, cells))
    settings = [[cell(spec.setting_header, bold), cell(spec.value_header, bold)]]
    settings += [[cell(label), cell(value)] for _, label, value in spec.settings]
    reqs.append(rows(LISTS_ID, 0, SETTING_COL, settings))
    for first, last, chars in spec.widths:
        reqs.append(col_width(LISTS_ID, first, last, chars))
    for name, ref in sorted(spec.ranges.items()):
        reqs.append({"addNamedRange": {"namedRange": {"name": name, "range": grid_range(ref)}}})
    # The formulas, row by row, exactly as the .xlsx holds them.
    data = []
    formulas = [template_row_formulas(r, lang) for r in range(FIRST_ROW, LAST_ROW + 1)]
    for key in (*HELPERS, "progress", "status"):
        letter = col_letter(COLUMN_INDEX[key])
        values = [[row[key]] for row in formulas]
        data.append(
            {"range": f"'{okrs_tab}'!{letter}{FIRST_ROW}:{letter}{LAST_ROW}", "values": values}
        )
    if as_of is None:
        value_letter = col_letter(VALUE_COL)
        data.append({"range": f"'{lists_tab}'!{value_letter}4", "values": [["=TODAY()"]]})
        reqs.append(
            {
                "repeatCell": {
                    "range": rect(LISTS_ID, 3, 4, VALUE_COL, VALUE_COL + 1),
                    "cell": {"userEnteredFormat": {"numberFormat": DAY}},
                    "fields": "userEnteredFormat.numberFormat",
                }
            }
        )
    return reqs, data


def create_template(
    api: GoogleApi,
    cfg: GoogleConfig,
    *,
    title: str,
    lang: str = "en",
    department: str | None = None,
    period: Period | None = None,
    years: Sequence[int] = (),
    parents: list[str] | None = None,
    as_of: date | None = None,
    departments: Mapping[str, str] | None = None,
) -> str:
    """Create the template as a Google Sheet; its URL. ``1 + 2 + len(share_with)`` API calls."""
    reqs, data = template_requests(
        lang, department, period, years, parents or [], as_of, departments
    )
    sheet_id = api.create(title, cfg.folder_id)
    what = f"new Google Sheet {title!r}"
    api.batch_update(sheet_id, reqs, what)
    api.values_update(sheet_id, data, what, raw=False)
    for email in cfg.share_with:
        api.share(sheet_id, email)
    return sheet_url(sheet_id)
