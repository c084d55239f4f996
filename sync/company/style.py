"""What every sheet of the company workbook shares: names, layout, formats, links."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from sync.company.report import WorkbookView
from sync.company.words import FIXED_KEYS, SHEET_KEYS, words
from sync.run_records import FAILED
from sync.xlsx.fast_sheet import InternalLink
from sync.xlsx.styles import STATUS_COLOURS

#: The fixed sheets in English, in order; department sheets follow.
FIXED = tuple(words("en").sheet(k) for k in FIXED_KEYS)
#: 0-based row of the header on every table sheet; data starts on the next row.
HEADER = 2
FIRST = HEADER + 1
# Excel refuses these in sheet names; control characters cannot be in the XML.
_BAD_CHARS = str.maketrans({c: " " for c in "[]:*?/\\" + "".join(map(chr, range(32))) + "\x7f"})


def sheet_names(views: Sequence[WorkbookView], lang: str = "en") -> list[str]:
    """A unique, valid sheet name per department workbook ('' for failed ones).

    No department takes the name of a fixed sheet in *lang*, nor "History",
    which Excel reserves in every language.
    """
    w = words(lang)
    fixed = {n.lower() for n in (*(w.sheet(k) for k in SHEET_KEYS), "History")}
    used = set(fixed)
    out = []
    for view in views:
        if view.state == FAILED:
            out.append("")
            continue
        base = legal_sheet_name(view.department or Path(view.name).stem) or w.sheet("department")
        if base.lower() in fixed:
            base = legal_sheet_name(f"{base[:26]} OKRs")
        name, n = base, 2
        while name.lower() in used:
            suffix = f" ({n})"
            name, n = legal_sheet_name(base[: 31 - len(suffix)]) + suffix, n + 1
        used.add(name.lower())
        out.append(name)
    return out


def legal_sheet_name(text: str) -> str:
    """*text* as Excel allows a sheet name: no ``[]:*?/\\``, no apostrophe at either end,
    at most 31 characters (the full name stays in the sheet's title)."""
    name = " ".join(text.translate(_BAD_CHARS).split()).strip("' ")
    # Cut by UTF-16 units as Excel counts them, then tidy the cut end again.
    while len(name.encode("utf-16-le")) > 62:
        name = name[:-1]
    return name.rstrip("' ")


def link(sheet: str, row: int, col: str = "A", text: str = "") -> InternalLink:
    """A link to ``'Sheet'!A5`` for the 0-based *row* of *sheet*, shown as *text*."""
    return InternalLink("'" + sheet.replace("'", "''") + f"'!{col}{row + 1}", text)


def formats(wb: xlsxwriter.Workbook) -> dict:
    """The named formats every sheet writes with."""
    f = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "note": wb.add_format({"italic": True, "font_color": "#595959"}),
        "banner": wb.add_format({"bold": True, "bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "header": wb.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True, "valign": "top"}
        ),
        "pct": wb.add_format({"num_format": "0%"}),
        "num": wb.add_format({"num_format": "#,##0.00"}),  # "#,##0.##" shows "100."
        "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "stale": wb.add_format({"italic": True, "bg_color": "#FFF2CC", "font_color": "#9C5700"}),
        "fresh": wb.add_format({"font_color": "#006100"}),
        "link": wb.add_format({"font_color": "#0563C1", "underline": 1}),
        "bold": wb.add_format({"bold": True}),
        "mark": wb.add_format({"num_format": "0%", "bg_color": "#FFD966", "bold": True}),
    }
    for status, (bg, fg) in STATUS_COLOURS.items():
        f[status] = wb.add_format({"bg_color": bg, "font_color": fg})
    for depth in range(8):
        for bold in (False, True):
            f[("title", depth, bold)] = wb.add_format({"indent": depth, "bold": bold})
    return f
