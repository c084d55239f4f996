"""FastWorkbook writes what stock xlsxwriter writes, compressed while the sheets are written."""

from __future__ import annotations

import errno
import os
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from sync.xlsx import deflate
from sync.xlsx.deflate import crc32_combine
from sync.xlsx.fast_book import FastWorkbook
from sync.xlsx.fast_sheet import FastWorksheet, InternalLink
from sync.xlsx.zipformat import LIMIT, Member, ZipLayout
from tests.mounts import small_disk
from tests.test_fast_sheet import _fill, _parts


def _book(path: Path, book: type, sheet: type, constant_memory: bool) -> list[str]:
    """Several sheets written in turns (a finished sheet written again), links and a comment."""
    options = {"constant_memory": constant_memory, "nan_inf_to_errors": True}
    with book(path, options) as wb:
        wb.set_properties({"created": datetime(2026, 1, 1)})
        _fill(wb, wb.add_worksheet("Data & more", worksheet_class=sheet), True)  # & escaped
        second = wb.add_worksheet("Rows", worksheet_class=sheet)
        for row in range(300):
            second.write_string(row, 0, f"row {row} & <more>")
            second.write_number(row, 1, row * 1.5)
            if row % 3 and sheet is FastWorksheet:
                second.write_url(row, 2, InternalLink(f"'Data'!A{row + 1}", f"to {row}"))
            elif row % 3:
                second.write_url(row, 2, f"internal:'Data'!A{row + 1}", None, f"to {row}")
        if hasattr(second, "finish"):
            second.finish()
        third = wb.add_worksheet("Later", worksheet_class=sheet)
        third.write_string(0, 0, "written after Rows was finished")
        second.write_string(300, 0, "Rows again, after Later began")
        other = wb.add_worksheet("Comments", worksheet_class=sheet)
        other.write_comment(0, 0, "comments take xlsxwriter's own path")
        other.write_string(0, 1, "beside a comment")
        wb.add_worksheet("Empty", worksheet_class=sheet)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None  # every member's CRC holds
        return zf.namelist()


@pytest.mark.parametrize("piece", [64, deflate.PIECE])
def test_same_parts_as_stock_xlsxwriter_in_constant_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    monkeypatch.setattr(deflate, "PIECE", piece)  # 64: every row a piece of its own
    stock = _book(tmp_path / "stock.xlsx", xlsxwriter.Workbook, Worksheet, True)
    fast = _book(tmp_path / "fast.xlsx", FastWorkbook, FastWorksheet, True)
    assert fast == stock  # the same members, in the same order
    assert _parts(tmp_path / "fast.xlsx") == _parts(tmp_path / "stock.xlsx")


def test_without_constant_memory_it_is_xlsxwriter(tmp_path: Path) -> None:
    _book(tmp_path / "stock.xlsx", xlsxwriter.Workbook, Worksheet, False)
    _book(tmp_path / "fast.xlsx", FastWorkbook, FastWorksheet, False)
    assert _parts(tmp_path / "fast.xlsx") == _parts(tmp_path / "stock.xlsx")


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    with FastWorkbook(tmp_path / "out.xlsx", {"constant_memory": True, "tmpdir": str(parts)}) as wb:
        ws = wb.add_worksheet()
        for row in range(1000):
            ws.write_url(row, 0, InternalLink(f"'Sheet1'!B{row + 1}", "there"))
    assert list(parts.iterdir()) == []


def test_a_full_disk_under_the_compressor_is_the_writer_s_error(tmp_path: Path) -> None:
    with small_disk(tmp_path / "small") as small:
        wb = FastWorkbook(tmp_path / "out.xlsx", {"constant_memory": True, "tmpdir": str(small)})
        ws = wb.add_worksheet()
        for row in range(20_000):  # about 2 MB that does not compress, on 256 kB
            ws.write_string(row, 0, os.urandom(50).hex())
        with pytest.raises(xlsxwriter.exceptions.FileCreateError) as info:
            wb.close()
        assert isinstance(info.value.args[0], OSError)
        assert info.value.args[0].errno == errno.ENOSPC
        assert not list(small.glob("*.deflate"))  # the spool is gone (parts are the caller's)


@pytest.mark.parametrize("lengths", [(0, 0), (5, 0), (0, 7), (1, 1), (100, 3_000_000)])
def test_crc32_combine_is_the_crc_of_both(lengths: tuple[int, int]) -> None:
    a, b = os.urandom(lengths[0]), os.urandom(lengths[1])
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_pieces_laid_end_to_end_are_one_stream() -> None:
    pieces = [b"<row>" * 5000, os.urandom(3000), b"tail"]
    body = b"".join(deflate.deflate_piece(p) for p in pieces) + b"\x03\x00"
    assert zlib.decompress(body, -15) == b"".join(pieces)


def test_a_member_past_4_gib_is_refused_without_zip64() -> None:
    with pytest.raises(ValueError, match="zip64"):
        ZipLayout().local(Member("big.xml", 0, 10, LIMIT))


def test_the_installed_xlsxwriter_streams() -> None:
    # The versions pyproject.toml allows all have the parts it needs; CI tests the lowest.
    from sync.xlsx import fast_book

    assert fast_book.STREAMING is True


def test_finish_writes_out_the_row_held_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "finished.xlsx"
    with FastWorkbook(path, {"constant_memory": True}) as wb:
        ws = wb.add_worksheet()
        ws.write_string(0, 0, "first")
        ws.write_string(1, 0, "last before finish")
        ws.finish()
        assert not ws.table  # no row waits in memory
        assert ws.write_string(1, 1, "too late") < 0  # refused, as for any row written out
        ws.write_string(2, 0, "below")
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert [sheet.count(f'<row r="{n}"') for n in (1, 2, 3)] == [1, 1, 1]
    assert "last before finish" in sheet and "too late" not in sheet and "below" in sheet
