"""A constant-memory worksheet whose rows and links are compressed as they are written.

xlsxwriter keeps a constant-memory sheet's rows in a temporary file and
copies them into the sheet's part when the workbook is closed. A
``StreamedSheet`` given a ``Spool`` (``stream_rows``, by
``sync.xlsx.fast_book.FastWorkbook``) writes them to a
``sync.xlsx.deflate.Stream`` instead, and when its part is assembled leaves
a hole where they belong (``holes``: byte offset in the part's file, stream),
which the workbook fills from the compressed pieces when it writes the zip.
Without a spool it is xlsxwriter's worksheet.
"""

from __future__ import annotations

import os

from xlsxwriter.worksheet import Worksheet

from sync.xlsx.deflate import Spool, Stream


class StreamedSheet(Worksheet):
    """``xlsxwriter`` worksheet that can stream its rows (and links) to a ``Spool``."""

    #: where rows and links are compressed as they come (``sync.xlsx.fast_book``)
    _spool: Spool | None = None
    #: the file the sheet's part is assembled in, and the (byte offset, stream)
    #: places in it where streamed rows and links belong
    part_path: str = ""
    holes: list[tuple[int, Stream]] | None = None

    def stream_rows(self, spool: Spool) -> None:
        """Compress the rows written from now on with *spool* instead of keeping them in a file.

        Constant-memory mode only, before any row is written.
        """
        self.row_data_fh.close()
        os.unlink(self.row_data_filename)
        self._spool = spool
        self.row_data_fh = self.fh = Stream(spool)
        self.row_data_fh_closed = False

    def _opt_close(self) -> None:
        if self._spool is None:
            super()._opt_close()
        elif not self.row_data_fh_closed:
            self.row_data_fh.flush()  # what is gathered goes to the compressor now
            self.row_data_fh_closed = True

    def _opt_reopen(self) -> None:
        if self._spool is None:
            super()._opt_reopen()
        elif self.row_data_fh_closed:
            self.row_data_fh_closed = False
            self.fh = self.row_data_fh

    def _set_xml_writer(self, filename) -> None:
        super()._set_xml_writer(filename)
        self.part_path, self.holes = filename, []

    def _write_optimized_sheet_data(self) -> None:
        if self._spool is None or self.dim_rowmin is None:
            super()._write_optimized_sheet_data()
            return
        self._xml_start_tag("sheetData")
        self._hole(self.row_data_fh)
        self._xml_end_tag("sheetData")

    def _hole(self, stream: Stream) -> None:
        """Leave the place for *stream* at this point of the part being assembled."""
        stream.flush()
        self.fh.flush()
        self.holes.append((self.fh.tell(), stream))
