"""An xlsxwriter worksheet that serialises its cells faster, byte for byte the same.

The company workbook holds every row twice (the Company tree and the
department sheet), so xlsxwriter's per-cell serialiser is the largest single
cost of a run. ``FastWorksheet`` adds ``write_cells`` (a row of strings and
numbers in one call) and replaces the two loops that run once per cell when
the file is written (``_calculate_spans`` and ``_write_rows``) for the cell
types written in bulk (shared strings and numbers); every other cell, and
constant-memory mode, is handed back to xlsxwriter. These are private
methods, so the supported xlsxwriter versions are pinned and
``tests/test_fast_sheet.py`` compares the output with stock xlsxwriter's.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isfinite

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import (
    CellDatetimeTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
)

_NUMBERS = (CellNumberTuple, CellDatetimeTuple)
#: Strings up to this long cannot pass Excel's 32,767 UTF-16 units: no need to measure.
_SHORT = 16_383

Cells = Sequence[tuple[int, object, Format | None]]


class FastWorksheet(Worksheet):
    """``xlsxwriter`` worksheet with a faster writer for shared-string and number cells."""

    def write_cells(self, row: int, cells: Cells) -> None:
        """Write *cells*, ``(column, value, format)`` triples, on *row*.

        The same as ``write_string`` for each string and ``write_number``
        for each number, in one call; any other value (a date, a boolean, a
        very long string, NaN) goes through ``write``.
        """
        if not cells:
            return
        cols = [c for c, _, _ in cells]
        if (
            self.constant_memory
            or self._check_dimensions(row, min(cols))
            or self._check_dimensions(row, max(cols))
        ):
            for col, value, fmt in cells:
                self._write_one(row, col, value, fmt)
            return
        target = self.table[row]
        shared = self.str_table._get_shared_string_index
        for col, value, fmt in cells:
            kind = value.__class__
            if kind is str and len(value) <= _SHORT:
                target[col] = CellStringTuple(shared(value), fmt)
            elif kind is int or (kind is float and isfinite(value)):
                target[col] = CellNumberTuple(value, fmt)
            else:
                self._write_one(row, col, value, fmt)

    def _write_one(self, row: int, col: int, value: object, fmt: Format | None) -> None:
        kind = value.__class__
        if kind is str:
            self.write_string(row, col, value, fmt)
        elif kind is int or kind is float:
            self.write_number(row, col, value, fmt)
        else:
            self.write(row, col, value, fmt)

    def _calculate_spans(self) -> None:
        # Same result as xlsxwriter's: the first:last used column of each 16-row block.
        if self.constant_memory or self.comments or self.dim_rowmin is None:
            super()._calculate_spans()
            return
        blocks: dict[int, tuple[int, int]] = {}
        for row, cells in self.table.items():
            if not cells:
                continue
            low, high = min(cells), max(cells)
            seen = blocks.get(row // 16)
            if seen is not None:
                low, high = min(low, seen[0]), max(high, seen[1])
            blocks[row // 16] = (low, high)
        self.row_spans = {block: f"{lo + 1}:{hi + 1}" for block, (lo, hi) in blocks.items()}

    def _write_rows(self) -> None:
        if self.constant_memory or self.comments:
            super()._write_rows()
            return
        self._calculate_spans()
        write = self.fh.write
        table, row_info, spans = self.table, self.row_info, self.row_spans
        width = (self.dim_colmax or 0) + 1
        names = [xl_col_to_name(c) for c in range(width)]
        col_styles = [self._column_style(c) for c in range(width)]
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row)
            info = row_info.get(row)
            if not cells:
                if info is not None:
                    self._write_empty_row(row, spans.get(row // 16), info)
                continue
            self._write_row(row, spans.get(row // 16), info)
            number = str(row + 1)
            row_style = (
                f' s="{info.row_format._get_xf_index()}"' if info and info.row_format else None
            )
            parts = []
            for col in sorted(cells):
                cell = cells[col]
                kind = cell.__class__
                if kind is CellStringTuple:
                    end = f' t="s"><v>{cell.string}</v></c>'
                elif kind in _NUMBERS:
                    end = f"><v>{cell.number:.16G}</v></c>"
                else:
                    write("".join(parts))
                    parts = []
                    self._write_cell(row, col, cell)
                    continue
                fmt = cell.format
                if fmt:
                    style = f' s="{fmt._get_xf_index()}"'
                else:
                    style = row_style if row_style is not None else col_styles[col]
                parts.append(f'<c r="{names[col]}{number}"{style}{end}')
            parts.append("</row>")
            write("".join(parts))

    def _column_style(self, col: int) -> str:
        info = self.col_info.get(col)
        if info is not None and info.column_format is not None:
            return f' s="{info.column_format._get_xf_index()}"'
        return ""
