"""FastWorksheet writes byte for byte what stock xlsxwriter writes for the same calls."""

from __future__ import annotations

import importlib.util
import sys
import warnings
import zipfile
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest
import xlsxwriter
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from sync.xlsx import fast_sheet
from sync.xlsx.fast_book import FastWorkbook
from sync.xlsx.fast_sheet import FastWorksheet, InternalLink
from sync.xlsx.links import MAX_LINKS, may_link


def _fill(wb: xlsxwriter.Workbook, ws: Worksheet, bulk: bool, link: type = InternalLink) -> None:
    """The same cells, through write_cells (*bulk*) or one write_* call per cell."""
    bold = wb.add_format({"bold": True})
    pct = wb.add_format({"num_format": "0%"})
    ws.set_column(2, 2, 12, wb.add_format({"italic": True}))  # a column format
    ws.set_column(3, 3, 30)  # a width, no format
    ws.set_row(1, 20, bold)  # a row format applies to cells without their own
    ws.set_row(40, None, None, {"level": 2, "hidden": True})  # an empty outlined row
    rows = [
        [(0, "ID-1", None), (1, "Title & <things>", bold), (2, 0.25, pct), (5, 3, None)],
        [(0, "  spaced  ", None), (2, "in a formatted row", None), (3, -1.5e-12, None)],
        [(0, "x" * 20_000, None), (4, True, None), (6, datetime(2026, 11, 30, 8, 15), pct)],
        [(1, "ctrl\x01char", None), (2, float("nan"), None), (7, "", None), (3, 10**15, bold)],
        [(0, "多语言 ✓", None), (2, "column-formatted", None), (9, 7, None)],
        [(0, "line\nbreak", None), (1, "trailing newline\n", None), (2, "_x0041_", None)],
        [(0, "<r>not rich</r>", None), (1, 'say "hi"', None), (2, "tab\tinside", None)],
    ]
    for n, cells in enumerate(rows):
        row = n * 7  # gaps, several 16-row span blocks
        if bulk and hasattr(ws, "write_cells"):
            ws.write_cells(row, cells)
        else:
            for col, value, fmt in cells:
                if isinstance(value, str):
                    ws.write_string(row, col, value, fmt)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(row, col, value, fmt)
                else:
                    ws.write(row, col, value, fmt)
    places = [("'Other'!A1", "a link"), ("'O''Brien'!B7", None), ("'R&D <\"1\">'!A2", "a & b")]
    for row, (place, text) in enumerate(places):
        if bulk and hasattr(ws, "write_cells"):
            ws.write_url(50 + row * 10, 0, link(place, text or ""), bold)
        else:
            ws.write_url(50 + row * 10, 0, "internal:" + place, bold, text)
    if bulk and hasattr(ws, "finish"):
        ws.finish()  # the sheet's files are closed, and opened again by the next write
    ws.write_formula(51, 1, "=1+1", None, 2)
    ws.write_blank(52, 2, None, bold)
    ws.write_boolean(53, 3, False)
    ws.write_rich_string(54, 0, "plain ", bold, "bold")
    ws.write_array_formula(55, 0, 55, 0, "{=SUM(A1:A2*B1:B2)}")
    ws.write_string(16 * 9 + 3, 30, "far right in a later block")
    # Rows of the default height (outline only) and a taller one: a shape below is placed alike.
    for row in (60, 61, 63):
        ws.set_row(row, None, None, {"level": 1})
    ws.set_row(62, 30)
    ws.insert_textbox(65, 1, "placed below rows of set heights")
    # A group of sparklines, one per row, from the values of columns 3..5 of that row.
    spark_rows = [0, 14, 28]
    options = {"markers": True, "empty_cells": "gaps"}
    if bulk and hasattr(ws, "add_row_sparklines"):
        ws.add_row_sparklines(spark_rows, 8, 3, 5, options)
    else:
        ws.add_sparkline(
            0,
            8,
            {
                **options,
                "location": [xl_rowcol_to_cell(r, 8) for r in spark_rows],
                "range": [xl_range(r, 3, r, 5) for r in spark_rows],
            },
        )


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def stock_mode() -> ModuleType:
    """A fresh copy of ``sync.xlsx.fast_sheet`` loaded as if xlsxwriter lacked its internals."""
    path = Path(fast_sheet.__file__)
    spec = importlib.util.spec_from_file_location("fast_sheet_without_internals", path)
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("xlsxwriter.url")
    sys.modules["xlsxwriter.url"] = None  # type: ignore[assignment]  # import fails
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["xlsxwriter.url"]
        else:
            sys.modules["xlsxwriter.url"] = saved
    return module


def _same_bytes(tmp_path: Path, fast: type, link: type, constant_memory: bool, bulk: bool) -> None:
    out = {}
    for cls in (Worksheet, fast):
        path = tmp_path / f"{cls.__name__}.xlsx"
        options = {"constant_memory": constant_memory, "nan_inf_to_errors": True}
        with xlsxwriter.Workbook(path, options) as wb:
            wb.set_properties({"created": datetime(2026, 1, 1)})
            _fill(wb, wb.add_worksheet("Data", worksheet_class=cls), bulk, link)
            other = wb.add_worksheet("Other", worksheet_class=cls)
            other.write_comment(0, 0, "comments take xlsxwriter's own path")
            other.write_string(0, 1, "beside a comment")
            wb.add_worksheet("Empty", worksheet_class=cls)
        out[cls] = _parts(path)
    assert out[fast] == out[Worksheet]


@pytest.mark.parametrize("constant_memory", [False, True])
@pytest.mark.parametrize("bulk", [False, True])
def test_same_bytes_as_stock_xlsxwriter(tmp_path: Path, constant_memory: bool, bulk: bool) -> None:
    _same_bytes(tmp_path, FastWorksheet, InternalLink, constant_memory, bulk)


@pytest.mark.parametrize("constant_memory", [False, True])
def test_without_the_internals_it_falls_back_to_stock_xlsxwriter(
    tmp_path: Path, constant_memory: bool
) -> None:
    stock = stock_mode()
    assert stock.FAST is False and stock.FastWorksheet is not fast_sheet.FastWorksheet
    _same_bytes(tmp_path, stock.FastWorksheet, stock.InternalLink, constant_memory, True)


def test_the_installed_xlsxwriter_takes_the_fast_path() -> None:
    # The versions pyproject.toml allows all have the internals; CI tests the lowest.
    assert fast_sheet.FAST is True


def test_write_cells_outside_the_sheet_is_ignored_like_write(tmp_path: Path) -> None:
    with xlsxwriter.Workbook(tmp_path / "edge.xlsx") as wb:
        ws = wb.add_worksheet(worksheet_class=FastWorksheet)
        ws.write_cells(0, [(0, "in", None), (20_000, "past the last column", None)])
        ws.write_cells(1, [])
        assert ws.table[0] == {0: ws.table[0][0]}
        assert ws.dim_colmax == 0


@pytest.mark.parametrize(
    "text",
    ["", " ", "plain", "a ", " a", "a\tb", "a\nb", "x&y", "<b>", "_x0041_", "_x004", "多语言 ✓",
     "\u00a0a", "a\u3000", "a\u2028b", "\x01", "\x7f"],
)  # fmt: skip
def test_plain_inline_says_what_the_pattern_says(text: str) -> None:
    from sync.xlsx.safe_values import _NOT_PLAIN, plain_inline

    assert plain_inline(text) is (_NOT_PLAIN.search(text) is None)


@pytest.mark.parametrize(
    "text",
    ["", "plain", "a\tb\nc\r", "\x00", "\x0b", "\x1f", "\x7f", "\ud800", "\udfff", "\ufffe",
     "\uffff", "多语言 ✓", "\u2028", "\U0001f600", "ok\x01ok"],
)  # fmt: skip
def test_xml_legal_says_what_the_pattern_says(text: str) -> None:
    from sync.xlsx.safe_values import _XML_ILLEGAL, xml_legal

    assert xml_legal(text) == _XML_ILLEGAL.sub("\ufffd", text)


@pytest.mark.parametrize("fast", [True, False])
def test_may_link_stops_where_xlsxwriter_refuses_links(tmp_path: Path, fast: bool) -> None:
    module = fast_sheet if fast else stock_mode()
    with xlsxwriter.Workbook(tmp_path / "links.xlsx", {"constant_memory": True}) as wb:
        ws = wb.add_worksheet("Links", worksheet_class=module.FastWorksheet)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for row in range(MAX_LINKS):
                assert may_link(ws)
                ws.write_url(row, 0, module.InternalLink(f"'Links'!B{row + 1}", "up"))
        assert not may_link(ws)
        with pytest.warns(UserWarning, match="65,530 URLs"):
            ws.write_url(MAX_LINKS, 0, module.InternalLink("'Links'!B1", "up"))


def test_finished_sheets_share_column_settings_until_autofit(tmp_path: Path) -> None:
    with FastWorkbook(tmp_path / "cols.xlsx") as wb:
        sheets = [wb.add_worksheet(n, worksheet_class=FastWorksheet) for n in ("A", "B")]
        for ws in sheets:
            ws.set_column(0, 0, 5)
            ws.set_column(1, 1, 30)
            ws.write_string(0, 0, "a title longer than five")
            ws.finish()
        a, b = sheets
        assert a.col_info is b.col_info
        width = b.col_info[0].width
        a.autofit()
        assert a.col_info[0].width > width and b.col_info[0].width == width  # B keeps its own
    with zipfile.ZipFile(tmp_path / "cols.xlsx") as z:
        assert b'width="5.7109375"' in z.read("xl/worksheets/sheet2.xml")
