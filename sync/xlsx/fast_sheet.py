"""An xlsxwriter worksheet that writes rows faster, byte for byte the same.

The company workbook holds every row twice (the Company tree and the
department sheet), so xlsxwriter's per-cell work is the largest single cost
of a run. ``FastWorksheet`` adds ``write_cells`` (a row of strings and
numbers in one call) and replaces the loops that serialise cells, in both
xlsxwriter modes (``_write_rows`` with ``_calculate_spans``, and
``_write_single_row`` in constant-memory mode), for the cells written in
bulk: plain strings and numbers. Every other cell, and sheets with comments,
go through xlsxwriter's own code. ``InternalLink`` is a link within the
workbook built without parsing a URL string (a run has one per row).

These lean on xlsxwriter's private parts. ``tests/test_fast_sheet.py``
compares the output with stock xlsxwriter's in both modes for the versions
``pyproject.toml`` allows; on an xlsxwriter whose private parts are not the
ones expected (``FAST`` is False), ``FastWorksheet`` and ``InternalLink``
fall back to xlsxwriter's public API: slower, same workbook.
"""

from __future__ import annotations

import copy
from dataclasses import fields
from math import isfinite
from operator import attrgetter

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from sync.xlsx.deflate import Stream
from sync.xlsx.links import MAX_LINKS, FastLink, LinkSpool, NoTags, StockLink
from sync.xlsx.row_sizes import RowSizes
from sync.xlsx.safe_values import plain_inline
from sync.xlsx.sparkline_sheet import SparklineSheet
from sync.xlsx.stock_sheet import Cells, StockWorksheet, write_value

#: The private parts of xlsxwriter the fast writer overrides or calls.
_PRIVATE = (
    "_write_rows",
    "_write_single_row",
    "_calculate_spans",
    "_write_row",
    "_write_empty_row",
    "_write_cell",
    "_check_dimensions",
    "_assemble_xml_file",
    "_write_sparklines",
    "_opt_close",
    "_opt_reopen",
    "_write_optimized_sheet_data",
    "_set_xml_writer",
    "_write_cols",
)

try:
    from xlsxwriter.url import UrlTypes
    from xlsxwriter.worksheet import (
        CellDatetimeTuple,
        CellNumberTuple,
        CellStringTuple,
        ColumnInfo,
        RowInfo,
    )

    #: True when this xlsxwriter has the private parts the fast writer was built on.
    FAST = all(hasattr(Worksheet, name) for name in _PRIVATE)
except ImportError:  # an xlsxwriter without them: the public API below
    FAST = False

if FAST:
    _NUMBERS = (CellNumberTuple, CellDatetimeTuple)
    #: A column's settings, as a key: sheets set alike share their column settings.
    _column_key = attrgetter(*(f.name for f in fields(ColumnInfo)))
#: Strings up to this long cannot pass Excel's 32,767 UTF-16 units: no need to measure.
_SHORT = 16_383


class _FastWorksheet(SparklineSheet):
    """``xlsxwriter`` worksheet with a faster writer for string and number cells."""

    #: the links of written rows, until the sheet is assembled (constant-memory mode)
    _link_spool: LinkSpool | None = None
    #: column settings -> the one ``col_info`` of the workbook's sheets set so (``FastWorkbook``)
    _column_cache: dict | None = None

    def __init__(self) -> None:
        """A new sheet (``Workbook.add_worksheet`` makes it)."""
        super().__init__()
        #: format -> the ``s`` attribute of its cells
        self._styles: dict[Format, str] = {}
        self.row_sizes = RowSizes()

    def write_cells(self, row: int, cells: Cells) -> None:
        """Write *cells*, ``(column, value, format)`` triples, on *row*.

        The same as ``write_string`` for each string and ``write_number``
        for each number, in one call; any other value (a date, a boolean, a
        very long string, NaN) goes through ``write``.
        """
        if not cells:
            return
        cols = [c for c, _, _ in cells]
        if self._check_dimensions(row, min(cols)) or self._check_dimensions(row, max(cols)):
            for col, value, fmt in cells:  # out of the sheet, or a row already flushed
                write_value(self, row, col, value, fmt)
            return
        inline = self.constant_memory
        if inline and row > self.previous_row:
            self._write_single_row(row)
        target = self.table[row]
        shared = self.str_table._get_shared_string_index
        new = tuple.__new__  # the cell tuples without their constructors' Python frames
        for col, value, fmt in cells:
            kind = value.__class__
            if kind is str and len(value) <= _SHORT:
                target[col] = new(CellStringTuple, (value if inline else shared(value), fmt))
            elif kind is int or (kind is float and isfinite(value)):
                target[col] = new(CellNumberTuple, (value, fmt))
            else:
                write_value(self, row, col, value, fmt)

    def write_url(self, row, col, url, cell_format=None, string=None, tip=None):  # type: ignore[override]
        """``write_url``; an ``InternalLink`` is placed without xlsxwriter's per-link work.

        Otherwise the same: the cell holds the link's text (in *cell_format*,
        else the default link format) and the link is kept for the sheet.
        """
        if (
            url.__class__ is not FastLink
            or string is not None
            or tip is not None
            or row.__class__ is not int
            or self.ignore_write_string
            or self.hlink_count >= MAX_LINKS
        ):
            return super().write_url(row, col, url, cell_format, string, tip)
        if self._check_dimensions(row, col):
            return -1
        self.hlink_count += 1
        if cell_format is None:
            cell_format = self.default_url_format
        text = url._text
        if len(text) > _SHORT:
            self._write_string(row, col, text, cell_format)
        elif self.constant_memory:
            if row > self.previous_row:
                self._write_single_row(row)
            self.table[row][col] = CellStringTuple(text, cell_format)
        else:
            shared = self.str_table._get_shared_string_index(text)
            self.table[row][col] = CellStringTuple(shared, cell_format)
        self.hyperlinks[row][col] = url
        return 0

    def _assemble_xml_file(self) -> None:
        super()._assemble_xml_file()
        # The cells are in the file now. Free them here: a worksheet and its
        # workbook refer to each other, so otherwise only the cyclic garbage
        # collector would reclaim them, long after the run has moved on.
        self.table.clear()
        self.hyperlinks.clear()
        self.row_info.clear()

    def set_row(self, row: int, *args, **kwargs) -> int:  # type: ignore[override]
        """``set_row``, its row's size kept compactly (``sync.xlsx.row_sizes``)."""
        done = super().set_row(row, *args, **kwargs)
        self.row_sizes.settle(row, self.default_row_height)
        return done

    def _calculate_spans(self) -> None:
        # Same result as xlsxwriter's: the first:last used column of each 16-row block.
        if self.comments or self.dim_rowmin is None:
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
        if self.comments:
            super()._write_rows()
            return
        self._calculate_spans()
        table, row_info, spans = self.table, self.row_info, self.row_spans
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            self._emit_row(row, table.get(row), row_info.get(row), spans.get(row // 16))

    def _write_single_row(self, current_row_num: int = 0) -> None:
        # Constant-memory mode: flush the previous row (no spans: they are optional).
        if self.comments:
            super()._write_single_row(current_row_num)
            return
        if self.row_data_fh_closed:  # written to after finish()
            self._opt_reopen()
        row, self.previous_row = self.previous_row, current_row_num
        # A written row's properties are not read again in this mode: let them go.
        self._emit_row(row, self.table.get(row), self.row_info.pop(row, None), None)
        self.table.clear()
        links = self.hyperlinks.get(row)
        if links:
            self._spool_links(row, links)

    def _spool_links(self, row: int, links: dict) -> None:
        """Write the finished *row*'s internal links to a spool file instead of keeping them.

        A run has a link on nearly every row; xlsxwriter keeps them all in
        memory until the ``<hyperlinks>`` element after the rows. The spool
        holds the same XML, in row order.
        """
        for url in links.values():
            if url._link_type != UrlTypes.INTERNAL or url._tip:
                return
        spool = self._link_spool
        if spool is None:
            stream = Stream(self._spool) if self._spool is not None else None
            spool = self._link_spool = LinkSpool(self.tmpdir, stream)
        names, number = _names(max(links)), str(row + 1)
        for col in sorted(links):
            url = links[col]
            spool.add(names[col] + number, url._link, url._text)
        del self.hyperlinks[row]

    def _write_hyperlinks(self) -> None:
        spool = self._link_spool
        if spool is None:
            super()._write_hyperlinks()
            return
        rest, self.hyperlinks = self.hyperlinks, {}
        self._xml_start_tag("hyperlinks")
        self._link_spool = None
        if spool.stream is not None:
            self._hole(spool.stream)
        else:
            spool.copy_to(self.fh)
        if rest:  # links of rows not spooled (an external link among them): as xlsxwriter does
            self.hyperlinks = rest
            fh, self.fh = self.fh, NoTags(self.fh)
            try:
                super()._write_hyperlinks()
            finally:
                self.fh = fh
        self._xml_end_tag("hyperlinks")

    def finish(self) -> None:
        """Nothing more is written to this sheet for now: close its files until it is assembled.

        In constant-memory mode each sheet keeps its rows (and its links) in
        a file of its own, and the row last written in memory; a workbook of
        thousands of sheets would otherwise hold a descriptor, a buffer and a
        row for each. That row is written out, so later writes go below it
        (they reopen the files). Sheets of a ``FastWorkbook`` set with the
        same columns share one copy of those settings from here on.
        """
        if self.constant_memory:
            if self.table:
                self._write_single_row(self.previous_row + 1)
            self._opt_close()
        if self._link_spool is not None:
            self._link_spool.pause()
        cache = self._column_cache
        if cache is not None and self.col_info:
            key = tuple((col, _column_key(info)) for col, info in self.col_info.items())
            self.col_info = cache.setdefault(key, self.col_info)

    def autofit(self, *args, **kwargs) -> None:  # type: ignore[override]
        """``autofit``, on column settings of this sheet's own (``finish`` shares them)."""
        self.col_info = {col: copy.copy(info) for col, info in self.col_info.items()}
        super().autofit(*args, **kwargs)

    def _write_cols(self) -> None:
        # xlsxwriter takes an entry out of the settings and puts it back: on a copy.
        shared = self.col_info
        self.col_info = dict(shared)
        try:
            super()._write_cols()
        finally:
            self.col_info = shared

    def _emit_row(
        self, row: int, cells: dict | None, info: RowInfo | None, span: str | None
    ) -> None:
        """Write one ``<row>`` with its cells, as xlsxwriter would; nothing for an unused row."""
        if not cells:
            if info is not None:  # formatting or outline level only
                self._write_empty_row(row, span, info)
            return
        write = self.fh.write
        number = str(row + 1)
        if (
            info is None
            and span is None
            and self.default_row_height == self.original_row_height
            and self.excel_version != 2010
        ):  # what _write_row writes for a row with nothing set
            parts = [f'<row r="{number}">']
        else:
            self._write_row(row, span, info)
            parts = []
        styles, col_info = self._styles, self.col_info
        row_style = _style(styles, info.row_format) if info and info.row_format else None
        inline = self.constant_memory
        order = sorted(cells)
        names = _names(order[-1])
        for col in order:
            cell = cells[col]
            kind = cell.__class__
            if kind is CellStringTuple:
                text = cell.string
                if not inline:
                    end = f' t="s"><v>{text}</v></c>'
                elif plain_inline(text):
                    end = f' t="inlineStr"><is><t>{text}</t></is></c>'
                else:
                    end = None
            elif kind in _NUMBERS:
                end = f"><v>{cell.number:.16G}</v></c>"
            else:
                end = None
            if end is None:  # any other cell: xlsxwriter's own writer, in order
                write("".join(parts))
                parts = []
                self._write_cell(row, col, cell)
                continue
            fmt = cell.format
            if fmt is not None:
                style = styles.get(fmt) or _style(styles, fmt)
            elif row_style is not None:
                style = row_style
            else:
                info = col_info.get(col)
                column_format = info.column_format if info is not None else None
                if column_format is None:
                    style = ""
                else:
                    style = styles.get(column_format) or _style(styles, column_format)
            parts.append(f'<c r="{names[col]}{number}"{style}{end}')
        parts.append("</row>")
        write("".join(parts))


def _style(styles: dict, fmt: Format) -> str:
    """The ``s`` attribute of cells in *fmt*, kept in *styles* (a format keeps its index)."""
    style = styles[fmt] = f' s="{fmt._get_xf_index()}"'
    return style


_NAMES: list[str] = []


def _names(last: int) -> list[str]:
    """Column letters up to column *last* at least (``0 -> A``), kept for next time."""
    while len(_NAMES) <= last:
        _NAMES.append(xl_col_to_name(len(_NAMES)))
    return _NAMES


#: The worksheet class the company workbook is written with.
FastWorksheet: type[Worksheet] = _FastWorksheet if FAST else StockWorksheet
#: A link within the workbook: ``InternalLink(location, text)``, ``.text`` settable.
InternalLink: type = FastLink if FAST else StockLink
