"""``[organisation] decimal`` reaches every reader of department tables: Sheets, uploads, the store.

A text cell holding ``12,5`` is 12.5 when the organisation says ``decimal = ","``
and a ``target`` problem at its cell when nothing says how to read it, whether
the table comes from Google Sheets, an upload, or a stored version read back.
"""

# ruff: noqa: F811 - the fixtures are imported by name from tests.gsheets_fixtures
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from sync.config import parse_config
from sync.consolidate.run import consolidate
from sync.run_records import STALE
from sync.sources import make_source
from sync.sources.base import content_hash, parse_stored
from sync.store import uploads as upload_store
from sync.store.engine import open_store
from tests.gsheets_fixtures import api, google_cfg, key_file_data, key_path, standin  # noqa: F401
from tests.okrdata import grid, kr, obj
from tests.orgbuild import workspace as folder_workspace
from tests.orgbuild import write_workbook
from tests.test_gsheets_source import gsheet_workspace, put_org

ROWS = [
    obj("S-O1", "", title="Grow", department="Sales"),
    kr("S-KR1", "S-O1", target="12,5", current=5, department="Sales"),
]


def _target_problems(table) -> list:
    return [p for p in table.problems if p.code == "target"]


@pytest.mark.parametrize("decimal", [",", None])
def test_a_google_sheet_text_cell_follows_the_organisation_decimal(
    tmp_path, standin, key_path, decimal
):
    put_org(standin, {"sales": ROWS})
    ws = gsheet_workspace(tmp_path, f"sqlite:///{tmp_path / 'okr.db'}", key_path, standin.url)
    ws = replace(ws, decimal=decimal)
    (read,) = make_source(ws.sources[0], ws).read()
    kr1 = next(i for i in read.table.items if i.id == "S-KR1")
    if decimal:
        assert kr1.target == 12.5 and not _target_problems(read.table)
    else:
        (problem,) = _target_problems(read.table)
        assert problem.cell == "K3" and "[organisation] decimal" in problem.message


def _upload(ws, rows=ROWS) -> None:
    path = write_workbook(ws.root / "upload.xlsx", rows)
    data = path.read_bytes()
    engine = open_store(ws.store_url)
    try:
        upload_store.save_upload(engine, "sales", data, digest=content_hash(data))
    finally:
        engine.dispose()


def test_an_upload_is_read_and_re_read_by_the_organisation_decimal(tmp_path: Path) -> None:
    data = {
        "organisation": {"name": "Test Org", "decimal": ","},
        "store": {"url": f"sqlite:///{tmp_path / 'okr.db'}"},
        "sources": [{"kind": "uploads"}],
        "output": {"path": "out/company.xlsx"},
    }
    ws = parse_config(data, tmp_path)
    _upload(ws)
    (read,) = make_source(ws.sources[0], ws).read()
    assert next(i for i in read.table.items if i.id == "S-KR1").target == 12.5
    # the stored bytes read back (the fallback, the item page) by the same rule
    again = parse_stored(read.data, read.name, decimal=",")
    assert next(i for i in again.items if i.id == "S-KR1").target == 12.5
    assert _target_problems(parse_stored(read.data, read.name))


def test_a_stored_version_the_run_falls_back_to_keeps_the_organisation_decimal(
    tmp_path: Path,
) -> None:
    ws = replace(folder_workspace(tmp_path, f"sqlite:///{tmp_path / 'okr.db'}"), decimal=",")
    book = write_workbook(tmp_path / "departments" / "sales.xlsx", ROWS)
    first = consolidate(ws, as_of=date(2026, 11, 1))
    assert first.errors == 0
    book.write_bytes(b"PK\x03\x04 no longer a workbook")
    second = consolidate(ws, as_of=date(2026, 11, 8))
    assert {s.name: s.state for s in second.workbooks}["sales.xlsx"] == STALE
    # the stored 12,5 is still 12.5: no target problem beside the unreadable file
    assert [p.code for p in second.problems if p.severity == "error"] == ["unreadable"]


def test_a_stored_google_sheet_version_is_re_read_by_the_organisation_decimal() -> None:
    from sync.gsheets.read import SheetVersion

    data = SheetVersion("1abc", "sales", "2026-11-01T00:00:00Z", {"OKRs": grid(ROWS)}).encode()
    assert next(i for i in parse_stored(data, "sales", decimal=",").items).id == "S-O1"
    table = parse_stored(data, "sales", decimal=",")
    assert next(i for i in table.items if i.id == "S-KR1").target == 12.5
    assert _target_problems(parse_stored(data, "sales"))
