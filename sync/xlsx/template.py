"""``okr template``: write the blank OKR workbook (okr_template.xlsx) with xlsxwriter.

Everything the workbook says comes from ``okr.schema`` (columns, dropdown
words), ``okr.settings`` (status thresholds), ``okr.periods`` (period dates),
``templates/strings.toml`` and ``templates/guide.<lang>.md``; the formulas come
from ``sync.xlsx.formulas``. Output is deterministic for the same options,
so the committed okr_template.xlsx can be checked against a fresh build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from okr.departments import display_name
from okr.periods import Period, parse_period
from okr.reading import Table
from okr.schema import DONE_WORDS, LANGUAGES, LETTER, sheet_name, sheet_ref
from okr.settings import Settings
from sync.errors import InputError
from sync.xlsx.atomic import write_atomic
from sync.xlsx.formulas import FIRST_ROW, LAST_ROW
from sync.xlsx.reading import read_workbook
from sync.xlsx.template_sheets import TEMPLATES, strings, write_lists, write_okrs

DEFAULT_OUTPUT = Path("okr_template.xlsx")
#: Lists periods of the default template: fixed, so the committed file is reproducible.
DEFAULT_YEARS = (2025, 2026, 2027, 2028)
#: Document "created" date; fixed for the same reason.
CREATED = datetime(2025, 1, 1)
CHECKIN_ROWS = 500
PARENT_SEPARATOR = " · "


def guide_lines(lang: str, values: dict[str, str | None]) -> list[str]:
    """Lines of templates/guide.<lang>.md with ``{{name}}`` filled from *values*.

    A line whose placeholder has no value (None) is left out, so the
    department and period lines appear only when the options were given.
    """
    lines = []
    for line in (TEMPLATES / f"guide.{lang}.md").read_text(encoding="utf-8").splitlines():
        for name, value in values.items():
            if f"{{{{{name}}}}}" in line:
                line = None if value is None else line.replace(f"{{{{{name}}}}}", value)
            if line is None:
                break
        if line is not None:
            lines.append(line)
    return lines


def parent_entries(
    paths: Iterable[str | Path], read: Callable[[str | Path], Table] | None = None
) -> list[str]:
    """``"ID · Title"`` for every objective and key result in the parent workbooks.

    *read* turns a path (or a Google Sheets URL) into a table. Raises
    ``InputError`` (one line, naming the file and the fix) when a file cannot
    be read as an OKR workbook.
    """
    entries: dict[str, str] = {}
    for path in paths:
        table = read(path) if read else read_workbook(path, name=str(path))
        for item in table.items:
            if not item.id or " " in item.id or item.id in entries:
                continue
            title = " ".join(item.title.split())
            entries[item.id] = f"{item.id}{PARENT_SEPARATOR}{title}" if title else item.id
    return list(entries.values())


def template_period(
    lang: str, period: str | None, as_of: date | None
) -> tuple[Period | None, Sequence[int]]:
    """Check *lang* and *period*; the default period and the years Lists offers."""
    if lang not in LANGUAGES:
        raise InputError(f"language {lang!r} is not supported: use {' or '.join(LANGUAGES)}")
    default_period = None
    if period:
        default_period = parse_period(period)
        if default_period is None:
            raise InputError(
                f"period {period!r} is not a period: use 2026, 2026-H2, 2026-Q4 or 2026-11"
            )
    year = default_period.start.year if default_period else as_of.year if as_of else None
    return default_period, (year - 1, year, year + 1) if year else DEFAULT_YEARS


def guide_values(
    department: str | None, period: Period | None, lang: str = "en"
) -> dict[str, str | None]:
    """The ``{{name}}`` values of the guide text in *lang*."""
    settings = Settings()
    return {
        "sheet_okrs": sheet_name("okrs", lang),
        "sheet_checkins": sheet_name("checkins", lang),
        "sheet_lists": sheet_name("lists", lang),
        "department": department,
        "period": period.label if period else None,
        "on_track": f"{settings.on_track_ratio:g}",
        "at_risk": f"{settings.at_risk_ratio:g}",
        "on_track_half": f"{settings.on_track_ratio / 2:.0%}",
        "at_risk_half": f"{settings.at_risk_ratio / 2:.0%}",
        "done_words": ", ".join(DONE_WORDS),
        "checkin_days": f"{settings.checkin_days}",
    }


def build_template(
    path: str | Path = DEFAULT_OUTPUT,
    *,
    lang: str = "en",
    department: str | None = None,
    period: str | None = None,
    parents: Sequence[str | Path] = (),
    as_of: date | None = None,
    read: Callable[[str | Path], Table] | None = None,
    departments: Mapping[str, str] | None = None,
) -> Path:
    """Write the OKR template to *path* atomically and return the path.

    *period* (``2026-Q4``) becomes the default period and picks the years in
    Lists (that year and its neighbours; else the year of *as_of* and its
    neighbours; else DEFAULT_YEARS). *as_of* pins the AsOfDate cell to a date
    instead of ``=TODAY()``. *parents* are workbooks whose IDs fill the Parent
    dropdown. *departments* (``[departments]`` of okr.toml, code -> name) fill
    the Department dropdown, and *department* (a code) is prefilled by its name.
    """
    default_period, years = template_period(lang, period, as_of)
    entries = parent_entries(parents, read)
    path = Path(path)
    return write_atomic(
        path,
        lambda tmp: _write(
            tmp, lang, department, default_period, years, entries, as_of, departments or {}
        ),
    )


def _write(
    tmp: str,
    lang: str,
    department: str | None,
    period: Period | None,
    years: Sequence[int],
    parents: list[str],
    as_of: date | None,
    departments: Mapping[str, str],
) -> None:
    wb = xlsxwriter.Workbook(tmp)
    wb.set_properties(
        {
            "title": strings(lang)["title"],
            "author": "okr-sheets",
            "comments": "Made by `okr template`; regenerate rather than edit by hand.",
            "created": CREATED,
        }
    )
    okrs = wb.add_worksheet(sheet_name("okrs", lang))
    checkins = wb.add_worksheet(sheet_name("checkins", lang))
    guide = wb.add_worksheet(sheet_name("guide", lang))
    lists = wb.add_worksheet(sheet_name("lists", lang))
    spec = write_lists(wb, lists, lang, department, period, years, parents, as_of, departments)
    write_okrs(wb, okrs, lang, spec)
    _write_checkins(wb, checkins, lang)
    shown = display_name(department, departments) if department else department
    _write_guide(wb, guide, lang, shown, period)
    okrs.activate()
    wb.close()


def _write_checkins(wb: Workbook, ws: Worksheet, lang: str) -> None:
    """The Check-ins log: a table of date, key result ID, value, confidence, note."""
    headers = strings(lang)["checkins_headers"]
    okrs = sheet_ref(sheet_name("okrs", lang))
    formats = [
        wb.add_format({"num_format": "yyyy-mm-dd"}),
        wb.add_format({"num_format": "@"}),
        None,
        wb.add_format({"num_format": "0%"}),
        wb.add_format({"text_wrap": True}),
    ]
    for i, (width, fmt) in enumerate(zip((12, 16, 12, 11, 60), formats, strict=True)):
        ws.set_column(i, i, width, fmt)
    ws.add_table(
        0,
        0,
        CHECKIN_ROWS,
        len(headers) - 1,
        {
            "name": "CheckIns",
            "style": "Table Style Light 9",
            "columns": [{"header": h} for h in headers],
        },
    )
    ws.data_validation(
        1,
        1,
        CHECKIN_ROWS,
        1,
        {
            "validate": "list",
            "source": f"={okrs}!${LETTER['id']}${FIRST_ROW}:${LETTER['id']}${LAST_ROW}",
            "error_type": "information",
            "input_message": strings(lang)["prompts"]["checkin_id"],
        },
    )
    ws.data_validation(
        1, 0, CHECKIN_ROWS, 0, {"validate": "date", "criteria": ">", "value": date(2000, 1, 1)}
    )
    ws.freeze_panes(1, 0)


def _write_guide(
    wb: Workbook, ws: Worksheet, lang: str, department: str | None, period: Period | None
) -> None:
    """The Guide sheet: templates/guide.<lang>.md as one column of wrapped text."""
    values = guide_values(department, period, lang)
    title = wb.add_format({"bold": True, "font_size": 16})
    heading = wb.add_format({"bold": True, "font_size": 12, "valign": "bottom"})
    body = wb.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 110, body)
    row = 0
    for line in guide_lines(lang, values):
        if not line.strip():
            continue
        if line.startswith("# "):
            ws.write_string(row, 0, line[2:], title)
            ws.set_row(row, 24)
        elif line.startswith("## "):
            row += 1  # a blank line before each section
            ws.write_string(row, 0, line[3:], heading)
            ws.set_row(row, 20)
        else:
            text = "• " + line[2:] if line.startswith("- ") else line
            ws.write_string(row, 0, text, body)
            # Rows with wrapped text get a height Excel and LibreOffice both honour.
            width = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
            ws.set_row(row, 15 * (1 + width // 105))
        row += 1
    ws.hide_gridlines(2)
