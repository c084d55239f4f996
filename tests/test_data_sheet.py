"""The Data sheet: blocks of detail rows, links both ways, detail-mismatch."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from sync.config import parse_config
from sync.consolidate.run import consolidate
from sync.metrics.detail import MISMATCH, RECONCILED, Detail
from sync.store.details import record_details
from sync.store.engine import open_store
from tests.okrdata import kr, obj
from tests.orgbuild import make_org
from tests.test_consolidate import table_of

D1 = date(2026, 11, 27)
CO = dict(department="Company", period="2026")
EVIL = "=cmd|' /C calc'!A0"


def rows():
    return {
        "company.xlsx": [
            obj("CO-O1", "", title="Cash", **CO),
            kr("CO-KR1.1", "CO-O1", title="DSO", metric="dso", current=4, as_of=D1, **CO),
            kr("CO-KR1.2", "CO-O1", title="Bookings", metric="won", current=9, as_of=D1, **CO),
        ]
    }


def details():
    when = datetime(2026, 11, 27, 6)
    return [
        Detail("dso", "2026", ("invoice", "customer", "amount"),
               (("INV-1", EVIL, 1.5), ("INV-2", "ACME", 2.5)), 2, 4.0, "amount", RECONCILED,
               "", 4.0, when, "erp: demo"),
        Detail("won", "2026", ("deal", "amount"), (("D-1", 5.0),), 1, 5.0, "amount", MISMATCH,
               "", 9.0, when, "erp: demo"),
    ]  # fmt: skip


@pytest.fixture
def org(tmp_path, store_url):
    make_org(tmp_path / "departments", rows())
    ws = parse_config(
        {
            "organisation": {"name": "Test Org"},
            "store": {"url": store_url},
            "sources": [{"kind": "folder", "path": "departments"}],
            "output": {"path": "out/company.xlsx"},
            "connections": {"erp": {"kind": "sql", "url": "sqlite:///erp.sqlite"}},
            "metrics": {
                "dso": {"connection": "erp", "query": "SELECT 1"},
                "won": {"connection": "erp", "query": "SELECT 1"},
            },
        },
        tmp_path,
    )
    engine = open_store(ws.store_url)
    try:
        record_details(engine, details())
    finally:
        engine.dispose()
    return ws


def test_data_blocks_hold_the_rows_and_link_both_ways(org):
    result = consolidate(org, as_of=D1)
    book = openpyxl.load_workbook(result.output)
    data, company = book["Data"], book["Company"]
    heading = next(c for c in data["A"] if c.value == "CO-KR1.1 · DSO")
    top = heading.row
    facts = {data.cell(top + k, 1).value: data.cell(top + k, 2).value for k in range(1, 7)}
    assert facts["Metric"] == "dso" and facts["Value"] == 4
    assert facts["Rows"] == "2 shown of 2"
    assert facts["Reconciliation"].startswith("reconciled")
    assert [c.value for c in data[top + 7]][:3] == ["invoice", "customer", "amount"]
    evil = data.cell(top + 8, 2)
    assert evil.value == EVIL and evil.data_type == "s"  # text, never a formula
    # Up: the heading goes to the key result's row in Company ...
    target = heading.hyperlink.location
    sheet, cell = target.split("!")
    assert sheet == "'Company'" and company[cell].value == "CO-KR1.1"
    # ... and down: that row's Data link comes back to the heading.
    down = company[f"L{company[cell].row}"]
    assert down.hyperlink.location == f"'Data'!A{top}"
    metrics = book["Metrics"]
    row = next(r for r in metrics.iter_rows(min_row=4) if r[1].value == "CO-KR1.1")
    assert row[10].hyperlink.location == f"'Data'!A{top}"
    sales = book["Company OKRs"] if "Company OKRs" in book.sheetnames else None
    if sales is not None:
        kr_row = next(r for r in sales.iter_rows(min_row=4) if r[0].value == "CO-KR1.1")
        assert kr_row[-1].hyperlink.location == f"'Data'!A{top}"


def test_a_detail_that_does_not_reconcile_is_a_detail_mismatch_warning(org):
    result = consolidate(org, as_of=D1)
    found = [p for p in table_of(result.output, "Problems") if p["Code"] == "detail-mismatch"]
    assert [p["ID"] for p in found] == ["CO-KR1.2"]
    assert "value 9.00, detail total (amount) 5.00, difference 4.00" in found[0]["Message"]
    assert result.errors == 0


def test_without_detail_rows_there_is_no_data_sheet(tmp_path, store_url):
    make_org(tmp_path / "departments", rows())
    from tests.orgbuild import workspace

    result = consolidate(workspace(tmp_path, store_url), as_of=D1)
    assert "Data" not in openpyxl.load_workbook(result.output).sheetnames


def test_a_failed_detail_shows_its_reason_in_its_block(org):
    engine = open_store(org.store_url)
    try:
        failed = Detail("dso", "2026", status="failed", error="the query failed: no such table",
                        as_of=datetime(2026, 11, 27, 7))  # fmt: skip
        record_details(engine, [failed])
    finally:
        engine.dispose()
    result = consolidate(org, as_of=D1)
    data = openpyxl.load_workbook(result.output)["Data"]
    top = next(c.row for c in data["A"] if c.value == "CO-KR1.1 · DSO")
    assert data.cell(top + 6, 2).value == "failed: the query failed: no such table"
    assert data.cell(top + 5, 2).value == "0 shown of 0"
