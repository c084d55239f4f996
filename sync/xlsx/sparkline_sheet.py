"""Sparklines one per row, made when the sheet is written instead of held as strings.

``add_row_sparklines`` is ``add_sparkline`` for one group of sparklines, one
on each of many rows, each drawn from the same columns of its own row (the
History and Trend sheets): xlsxwriter would keep a range string and a
location string per row; here the rows are kept and the strings are made
as the sheet is written, streamed to the compressor like the rows when the
sheet streams (``sync.xlsx.streamed_sheet``).
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.utility import quote_sheetname, xl_range, xl_rowcol_to_cell

from sync.xlsx.deflate import Stream
from sync.xlsx.streamed_sheet import StreamedSheet


class SparklineSheet(StreamedSheet):
    """A worksheet with ``add_row_sparklines``."""

    def add_row_sparklines(
        self, rows: Sequence[int], col: int, first: int, last: int, options: dict
    ) -> None:
        """One sparkline group: on each of *rows*, in *col*, the values of *first*..*last*.

        As ``add_sparkline`` with lists, but the strings are made when written, not held.
        """
        if not rows:
            return
        one = {**options, "location": xl_rowcol_to_cell(rows[0], col)}
        self.add_sparkline(rows[0], col, {**one, "range": xl_range(rows[0], first, rows[0], last)})
        spark = self.sparklines[-1]
        spark["count"], spark["rows"], spark["columns"] = len(rows), rows, (col, first, last)

    def _write_sparklines(self, sparkline) -> None:
        rows = sparkline.get("rows")
        if rows is None:
            super()._write_sparklines(sparkline)
            return
        col, first, last = sparkline["columns"]
        sheet = self._escape_data(quote_sheetname(self.name) + "!")
        # One per row of a big sheet: streamed to the compressor like the rows, not kept.
        stream = Stream(self._spool) if self._spool is not None else None
        write = stream.write if stream is not None else self.fh.write
        write("<x14:sparklines>")
        for row in rows:
            write(
                f"<x14:sparkline><xm:f>{sheet}{xl_range(row, first, row, last)}</xm:f>"
                f"<xm:sqref>{xl_rowcol_to_cell(row, col)}</xm:sqref></x14:sparkline>"
            )
        write("</x14:sparklines>")
        if stream is not None:
            self._hole(stream)
