"""Writing numbers into a sheet's XML: the same cells as the openpyxl fill, other parts kept."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from okr.schema import LETTER, SHEET
from sync.metrics.measure import Outcome
from sync.metrics.refresh import _read
from sync.metrics.registry import load_registry
from sync.xlsx.fill import _rewrite, bound_keys, fill_workbook
from sync.xlsx.patch import SheetPatch, Unpatchable
from sync.xlsx.zipcopy import replace_members
from tests.test_refresh import ROWS, VALUES, fill, make_erp, workspace

NOW = datetime(2026, 11, 27, 6, 30, 12)


def _book(root: Path, name: str):
    ws = workspace(root)
    registry = load_registry(ws)
    return _read(name, root / "depts" / name, registry, [], max_rows=10_000, decimal=None)


def _outcomes(book, state: str = "ok") -> dict:
    return {
        key: Outcome(
            key[0],
            key[1],
            state,
            VALUES[key[0]] if state == "ok" else None,
            NOW.replace(microsecond=0) if state == "ok" else None,
            "erp",
            error="" if state == "ok" else "timeout",
        )
        for key in bound_keys(book)
    }


def _cells(data: bytes) -> dict:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {
        (ws.title, c.coordinate): (c.value, c.number_format, c.data_type, c.protection.locked)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value not in (None, "")
    }


@pytest.fixture
def root(tmp_path: Path) -> Path:
    make_erp(tmp_path / "erp.sqlite")
    fill(tmp_path / "depts" / "sales.xlsx", ROWS)
    shutil.copy(tmp_path / "depts" / "sales.xlsx", tmp_path / "depts" / "other.xlsx")
    return tmp_path


def test_cell_edits_give_the_same_cells_as_the_openpyxl_fill(root: Path) -> None:
    patched, rewritten = _book(root, "sales.xlsx"), _book(root, "other.xlsx")
    original = patched.data
    assert fill_workbook(patched, _outcomes(patched), NOW).filled == 5
    assert _rewrite(rewritten, _outcomes(rewritten), NOW).filled == 5
    new = (root / "depts" / "sales.xlsx").read_bytes()
    assert _cells(new) == _cells((root / "depts" / "other.xlsx").read_bytes())
    assert openpyxl.load_workbook(io.BytesIO(new)).calculation.fullCalcOnLoad
    # every part but the sheet, the styles and the workbook is the same, byte for byte
    with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(new)) as b:
        assert a.namelist() == b.namelist() and b.testzip() is None
        same = [n for n in a.namelist() if a.read(n) == b.read(n)]
        assert set(a.namelist()) - set(same) <= {
            "xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"
        }  # fmt: skip
    sheet = CalamineWorkbook.from_object(io.BytesIO(new)).get_sheet_by_name(SHEET).to_python()
    assert sheet[2][ord(LETTER["current"]) - 65] == 40


def test_a_cell_or_row_that_is_not_there_is_added_in_order(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["C1"], ws["A5"] = "x", "y", "z"
    wb.save(tmp_path / "w.xlsx")
    sheet = SheetPatch((tmp_path / "w.xlsx").read_bytes(), ws.title)
    sheet.set_number("B1", 2)
    sheet.set_number("D3", sheet.serial(datetime(2026, 1, 2, 3, 4)), "yyyy-mm-dd hh:mm")
    sheet.set_number("A7", 1e20)
    back = openpyxl.load_workbook(io.BytesIO(sheet.save())).active
    assert [c.value for c in back[1]][:4] == ["x", 2, "y", None]
    assert back["D3"].value == datetime(2026, 1, 2, 3, 4)
    assert back["D3"].number_format == "yyyy-mm-dd hh:mm"
    assert back["A5"].value == "z" and back["A7"].value == 1e20
    assert back.dimensions == "A1:D7"


def test_dates_follow_the_1904_epoch(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    wb.active["A1"] = 1
    wb.save(tmp_path / "mac.xlsx")
    sheet = SheetPatch((tmp_path / "mac.xlsx").read_bytes(), wb.active.title)
    when = datetime(2026, 11, 27, 6, 30)
    sheet.set_number("A1", sheet.serial(when), "yyyy-mm-dd hh:mm")
    assert openpyxl.load_workbook(io.BytesIO(sheet.save())).active["A1"].value == when


def test_full_calculation_is_asked_for_when_the_workbook_has_no_calc_settings(
    tmp_path: Path,
) -> None:
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "w.xlsx")
    data = (tmp_path / "w.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = zf.read("xl/workbook.xml").decode()
    data = replace_members(data, {"xl/workbook.xml": re.sub(r"<calcPr[^>]*/>", "", text).encode()})
    assert openpyxl.load_workbook(io.BytesIO(data)).calculation is None
    sheet = SheetPatch(data, wb.active.title)
    sheet.set_number("A1", 1)
    assert openpyxl.load_workbook(io.BytesIO(sheet.save())).calculation.fullCalcOnLoad


def test_a_formula_in_a_cell_to_write_takes_the_openpyxl_route(root: Path) -> None:
    path = root / "depts" / "sales.xlsx"
    wb = openpyxl.load_workbook(path)
    wb[SHEET][f"{LETTER['current']}3"] = "=1+1"
    wb.save(path)
    book = _book(root, "sales.xlsx")
    with pytest.raises(Unpatchable, match="formula"):
        SheetPatch(book.data, SHEET).set_number(f"{LETTER['current']}3", 1)
    assert fill_workbook(book, _outcomes(book), NOW).filled == 5
    assert openpyxl.load_workbook(path)[SHEET][f"{LETTER['current']}3"].value == 40


def test_a_prefixed_sheet_is_not_patched(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "w.xlsx")
    data = (tmp_path / "w.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = zf.read("xl/worksheets/sheet1.xml").decode()
    prefixed = re.sub(r"<(/?)(\w)", r"<\1x:\2", text).replace("xmlns=", "xmlns:x=")
    data = replace_members(data, {"xl/worksheets/sheet1.xml": prefixed.encode()})
    with pytest.raises(Unpatchable, match="prefix"):
        SheetPatch(data, wb.active.title)


def test_failures_take_the_openpyxl_route_with_their_notes(root: Path) -> None:
    book = _book(root, "sales.xlsx")
    result = fill_workbook(book, _outcomes(book, "failed"), NOW)
    assert (result.state, result.failed) == ("written", 5)
    sheet = openpyxl.load_workbook(root / "depts" / "sales.xlsx")[SHEET]
    assert "timeout" in sheet[f"{LETTER['as_of']}3"].comment.text


def test_unchanged_members_keep_their_compressed_bytes(root: Path) -> None:
    data = (root / "depts" / "sales.xlsx").read_bytes()
    out = replace_members(data, {"xl/styles.xml": b"<styleSheet/>"})
    with zipfile.ZipFile(io.BytesIO(data)) as a, zipfile.ZipFile(io.BytesIO(out)) as b:
        assert b.testzip() is None
        assert b.read("xl/styles.xml") == b"<styleSheet/>"
        for info in a.infolist():
            if info.filename != "xl/styles.xml":
                other = b.getinfo(info.filename)
                assert (other.CRC, other.compress_size) == (info.CRC, info.compress_size)
    with pytest.raises(ValueError, match="no member"):
        replace_members(data, {"xl/nothing.xml": b""})
