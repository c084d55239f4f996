"""Write what the Google stand-in holds as an .xlsx, so LibreOffice can compute its formulas.

Values, formulas (as their text) and named ranges are copied as they are:
what Google Sheets would compute from them, LibreOffice computes here.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

from tests.gsheets_model import Formula, Spreadsheet, col_letters, quote_title


def export_xlsx(book: Spreadsheet, path: Path) -> Path:
    """Save *book*'s tabs, cells and named ranges to *path*."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sorted(book.sheets, key=lambda s: s.index):
        ws = wb.create_sheet(sheet.title)
        for (r, c), value in sheet.cells.items():
            ws.cell(r + 1, c + 1, value.text if isinstance(value, Formula) else value)
    for named in book.named_ranges:
        grid = named["range"]
        sheet = next(s for s in book.sheets if s.sheet_id == grid.get("sheetId", 0))
        r0, r1 = grid.get("startRowIndex", 0), grid.get("endRowIndex", sheet.rows)
        c0, c1 = grid.get("startColumnIndex", 0), grid.get("endColumnIndex", sheet.cols)
        ref = f"{quote_title(sheet.title)}!${col_letters(c0)}${r0 + 1}"
        if (r1, c1) != (r0 + 1, c0 + 1):
            ref += f":${col_letters(c1 - 1)}${r1}"
        wb.defined_names[named["name"]] = DefinedName(named["name"], attr_text=ref)
    wb.save(path)
    return path
