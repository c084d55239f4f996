"""The company workbook's worksheet over xlsxwriter's public API only.

``sync.xlsx.fast_sheet`` uses it on an xlsxwriter whose private parts are
not the ones its fast writer was built on: slower, the same workbook.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from sync.xlsx.links import StockLink
from sync.xlsx.safe_values import xml_legal

#: ``(column, value, format)`` triples of one row.
Cells = Sequence[tuple[int, object, Format | None]]


def write_value(sheet: Worksheet, row: int, col: int, value: object, fmt: Format | None) -> None:
    """Write one cell, strings and numbers straight to their writers (no type sniffing)."""
    kind = value.__class__
    if kind is str:
        sheet.write_string(row, col, value, fmt)  # type: ignore[arg-type]
    elif kind is int or kind is float:
        sheet.write_number(row, col, value, fmt)  # type: ignore[arg-type]
    else:
        sheet.write(row, col, value, fmt)


class StockWorksheet(Worksheet):
    """``write_cells`` and internal links over xlsxwriter's public API only."""

    def finish(self) -> None:
        """Nothing more is written to this sheet for now (the public API keeps its files open)."""

    def add_row_sparklines(
        self, rows: Sequence[int], col: int, first: int, last: int, options: dict
    ) -> None:
        """One sparkline group: on each of *rows*, in *col*, the values of *first*..*last*."""
        if rows:
            locations = [xl_rowcol_to_cell(r, col) for r in rows]
            ranges = [xl_range(r, first, r, last) for r in rows]
            self.add_sparkline(rows[0], col, {**options, "location": locations, "range": ranges})

    def write_cells(self, row: int, cells: Cells) -> None:
        """Write *cells*, ``(column, value, format)`` triples, on *row*, one by one."""
        for col, value, fmt in cells:
            write_value(self, row, col, value, fmt)

    def write_url(self, row, col, url, cell_format=None, string=None, tip=None):  # type: ignore[override]
        """``write_url``, also taking a ``StockLink`` (the link's text is the cell's)."""
        if isinstance(url, StockLink):
            text = xml_legal(url.text if string is None else string)
            return super().write_url(row, col, "internal:" + url.location, cell_format, text, tip)
        return super().write_url(row, col, url, cell_format, string, tip)
