"""A shared objective in the company workbook: under both parents, rolled up by share."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from sync.consolidate.run import consolidate
from tests.okrdata import kr, obj
from tests.orgbuild import make_org, workspace
from tests.test_consolidate import sheet, table_of

D1, D2 = date(2026, 11, 1), date(2026, 11, 8)


def rows(shares: str = "CO-O1 60%; CO-O2 40%"):
    co = dict(department="Company", period="2026")
    return {
        "company.xlsx": [
            obj("CO-O1", "", title="Grow revenue", **co),
            kr("CO-KR1.1", "CO-O1", current=20, **co),
            obj("CO-O2", "", title="Happy customers", **co),
            kr("CO-KR2.1", "CO-O2", current=40, **co),
        ],
        "sales.xlsx": [
            obj("SALES-O1", shares, title="Key accounts", weight=2, department="Sales"),
            kr("SALES-KR1.1", "SALES-O1", current=50, department="Sales"),
        ],
    }


@pytest.fixture
def org(tmp_path, store_url):
    make_org(tmp_path / "departments", rows())
    return workspace(tmp_path, store_url)


def test_a_shared_objective_is_under_both_parents_and_rolls_up_by_share(org):
    result = consolidate(org, as_of=D1)
    assert result.errors == 0
    company = table_of(result.output, "Company")
    assert [r["ID"] for r in company] == [
        "CO-O1", "SALES-O1", "SALES-KR1.1", "CO-KR1.1", "CO-O2", "SALES-O1", "CO-KR2.1",
    ]  # fmt: skip
    progress = {r["ID"]: r["Progress"] for r in company if r["ID"].startswith("CO-O")}
    assert progress["CO-O1"] == pytest.approx(0.8 / 2.2)  # see README: the worked example
    assert progress["CO-O2"] == pytest.approx(0.8 / 1.8)
    shared = [r for r in company if r["ID"] == "SALES-O1"]
    assert "[60% share]" in shared[0]["Title"] and "[40% share]" in shared[1]["Title"]
    assert "→ row 5" in shared[1]["Title"]
    ws = openpyxl.load_workbook(result.output)["Company"]
    repeat = next(c for c in ws["A"] if c.value == "SALES-O1" and c.row > 5)
    assert repeat.hyperlink.location == "'Company'!A5"  # the first appearance
    # Counted once: one row per item in the run, one objective for Sales.
    assert result.rows == 6
    dash = sheet(result.output, "Dashboard")
    sales = next(r for r in dash if r and r[0] == "sales.xlsx")
    assert 2 in sales  # rows of the Sales workbook


def test_a_changed_share_is_a_re_parenting_in_changes(org):
    consolidate(org, as_of=D1)
    make_org(org.root / "departments", rows("CO-O1 50%; CO-O2 50%"))
    result = consolidate(org, as_of=D2)
    moved = [r for r in table_of(result.output, "Changes") if r["Change"] == "re-parented"]
    assert [(r["ID"], r["Before"], r["After"]) for r in moved] == [
        ("SALES-O1", "CO-O1 60%; CO-O2 40%", "CO-O1 50%; CO-O2 50%")
    ]
