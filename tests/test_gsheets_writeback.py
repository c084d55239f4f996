# ruff: noqa: F811 - the fixtures are imported by name from tests.gsheets_fixtures
"""``okr metrics refresh`` writes Current and As of back into Google Sheets (the stand-in)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from okr.reading import from_excel_serial
from okr.schema import KEYS, LETTER, header_texts
from sync.config import parse_config
from sync.metrics.refresh import refresh
from tests.gsheets_fixtures import key_file_data, key_path, standin  # noqa: F401
from tests.gsheets_model import col_index
from tests.test_refresh import NOW, ROWS, TODAY, VALUES, make_erp, query

FOLDER = "1DepartmentFolder"


def rows_grid(rows: list[tuple]) -> list[list[Any]]:
    out = [header_texts("en")]
    for item_id, kind, parent, direction, base, target, current, metric in rows:
        cells = {
            "id": item_id,
            "type": kind,
            "parent": parent,
            "title": f"Title of {item_id}",
            "owner": "ana@example.org",
            "department": "Sales",
            "period": "2026-Q4",
            "direction": direction,
            "baseline": base,
            "target": target,
            "current": current,
            "metric": metric,
        }
        out.append(["" if cells.get(k) is None else cells[k] for k in KEYS])
    return out


def cell(book, row: int, key: str) -> Any:
    sheet = book.sheet("OKRs")
    return sheet.cells.get((row - 1, col_index(LETTER[key])))


@pytest.fixture
def setup(tmp_path, standin, key_path):
    make_erp(tmp_path / "erp.sqlite")
    book = standin.new_book("sales", [FOLDER])
    standin.put_sheet(book, "OKRs", rows_grid(ROWS))
    standin.put_sheet(book, "Check-ins", [["Date", "Key result"]])
    metrics: dict[str, Any] = {n: {"connection": "erp", "query": query(n)} for n in VALUES}
    ws = parse_config(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'okr.db'}"},
            "sources": [{"kind": "gsheet", "folder_id": FOLDER}],
            "connections": {"erp": {"kind": "sql", "url": "sqlite:///erp.sqlite"}},
            "metrics": metrics,
            "google": {"credentials": str(key_path), "api_root": standin.url},
        },
        tmp_path,
    )
    return ws, book


def test_refresh_writes_current_and_as_of_and_nothing_else(setup, standin):
    ws, book = setup
    before = dict(book.sheet("OKRs").cells)
    standin.calls.clear()
    report = refresh(ws, today=TODAY, now=lambda: NOW)
    assert report.ok, report
    assert [(w.name, w.state, w.filled) for w in report.workbooks] == [("sales", "written", 5)]
    after = book.sheet("OKRs").cells
    changed = {k for k in after if before.get(k) != after[k]} | (before.keys() - after.keys())
    bound = [r for r, row in enumerate(ROWS, 2) if row[7]]
    assert changed == {(r - 1, col_index(LETTER[k])) for r in bound for k in ("current", "as_of")}
    assert cell(book, 3, "current") == 40 and cell(book, 5, "current") == 21.5
    assert cell(book, 7, "current") == 3  # typed by hand, untouched
    assert from_excel_serial(cell(book, 3, "as_of")) == datetime(2026, 11, 27, 6, 30)
    # per sheet: the read and the write; the folder is listed before reading and before writing
    assert standin.counts() == {"files.list": 2, "values.batchGet": 1, "values.batchUpdate": 1}
    (body,) = [b for k, b in standin.bodies if k == "values.batchUpdate"]
    assert body["valueInputOption"] == "RAW" and len(body["data"]) == 10


def test_a_failed_metric_keeps_current_and_marks_as_of_as_text(setup, standin):
    ws, book = setup
    ws.metrics["bookings"]["query"] = "SELECT nope FROM nowhere WHERE :start < :end"
    report = refresh(ws, today=TODAY, now=lambda: NOW)
    (result,) = report.workbooks
    assert (result.state, result.filled, result.failed) == ("written", 4, 1)
    assert cell(book, 3, "current") == 10
    assert str(cell(book, 3, "as_of")).startswith("(failed: ")


def test_two_api_calls_per_sheet_however_many_sheets(setup, standin):
    ws, _ = setup
    for name in ("ops", "finance", "people"):
        other = standin.new_book(name, [FOLDER])
        standin.put_sheet(other, "OKRs", rows_grid(ROWS))
        standin.put_sheet(other, "Check-ins", [["Date", "Key result"]])
    standin.calls.clear()
    report = refresh(ws, today=TODAY, now=lambda: NOW)
    assert [w.state for w in report.workbooks] == ["written"] * 4
    per_sheet = {}
    for kind, sheet in standin.calls:
        if kind != "files.list":
            per_sheet.setdefault(sheet, []).append(kind)
    assert len(per_sheet) == 4
    assert all(k == ["values.batchGet", "values.batchUpdate"] for k in per_sheet.values())
    assert standin.count("files.list") == 2  # one per 1,000 sheets, before reading and writing


def _insert_row(book):
    def insert_row(server):
        sheet = book.sheet("OKRs")
        sheet.cells = {(r + 1 if r >= 1 else r, c): v for (r, c), v in sheet.cells.items()}
        server.touch(book)

    return insert_row


def test_a_sheet_whose_rows_moved_is_skipped_and_reported(setup, standin):
    ws, book = setup
    # rows inserted while the metrics were measured: just before the listing that precedes the write
    standin.fail("files.list", skip=1, action=_insert_row(book))
    before = dict(book.sheet("OKRs").cells)
    standin.calls.clear()
    report = refresh(ws, today=TODAY, now=lambda: NOW)
    (result,) = report.workbooks
    assert result.state == "skipped" and "rows moved" in result.error and not report.ok
    moved = {(r + 1 if r >= 1 else r, c): v for (r, c), v in before.items()}
    assert book.sheet("OKRs").cells == moved  # nothing written
    assert standin.count("values.batchUpdate") == 0
    assert standin.count("values.batchGet") == 2  # the read, and the IDs read again


def test_a_sheet_edited_but_not_moved_is_checked_and_written(setup, standin):
    ws, book = setup
    standin.fail("files.list", skip=1, action=lambda server: server.touch(book))
    standin.calls.clear()
    report = refresh(ws, today=TODAY, now=lambda: NOW)
    (result,) = report.workbooks
    assert result.state == "written", result
    assert standin.counts() == {"files.list": 2, "values.batchGet": 2, "values.batchUpdate": 1}


def test_drive_unreachable_before_writing_means_the_ids_are_checked(setup, standin):
    ws, book = setup
    standin.fail("files.list", 400, skip=1, action=_insert_row(book))
    report = refresh(ws, today=TODAY, now=lambda: NOW)
    (result,) = report.workbooks
    assert result.state == "skipped" and "rows moved" in result.error
    assert standin.count("values.batchUpdate") == 0


def test_text_from_outside_is_never_a_formula(setup, standin):
    ws, _ = setup
    ws.metrics["bookings"]["query"] = "SELECT '=HYPERLINK(1)' WHERE :start < :end"
    refresh(ws, today=TODAY, now=lambda: NOW)
    (body,) = [b for k, b in standin.bodies if k == "values.batchUpdate"]
    assert body["valueInputOption"] == "RAW"
    assert not any(
        isinstance(v, str) and v.startswith("=") for d in body["data"] for v in d["values"][0]
    )


def test_a_sheet_without_access_is_reported_and_the_others_written(setup, standin, key_file_data):
    ws, _ = setup
    from dataclasses import replace

    from sync.config import Source

    other = standin.new_book("ops", ["elsewhere"])
    standin.put_sheet(other, "OKRs", rows_grid(ROWS))
    other.denied.add(key_file_data["client_email"])
    ws = replace(ws, sources=(*ws.sources, Source("gsheet", options={"ids": [other.id]})))
    report = refresh(ws, today=TODAY, now=lambda: NOW)
    states = {w.name: (w.state, w.error) for w in report.workbooks}
    assert states["sales"][0] == "written"
    assert states[other.id][0] == "skipped" and "403" in states[other.id][1]
