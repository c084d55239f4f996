"""The History sheet and the Dashboard's owners needing an update, read back."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sync.consolidate.run import consolidate
from sync.metrics.measure import Outcome
from sync.store import metrics as metric_store
from sync.store.engine import open_store
from tests.okrdata import kr, obj
from tests.orgbuild import workspace, write_workbook
from tests.test_consolidate import sheet, table_of

D1, D2 = date(2026, 11, 20), date(2026, 11, 27)
CO = dict(department="Company", period="2026")


def rows(notes: str = ""):
    return [
        obj("CO-O1", "", title="Grow revenue", **CO),
        kr("CO-KR1.1", "CO-O1", current=40, owner="ana@example.org", notes=notes, **CO),
        kr("CO-KR1.2", "CO-O1", current=10, owner="bo@example.org", **CO),
        kr("CO-KR1.3", "CO-O1", current=5, owner="bo@example.org", **CO),
        kr("CO-KR1.4", "CO-O1", metric="bookings", current=7, as_of=date(2026, 11, 19),
           owner="cy@example.org", **CO),
    ]  # fmt: skip


LOG = [
    (date(2026, 10, 1), "CO-KR1.1", 20, 0.6, "kick-off"),
    (date(2026, 11, 18), "CO-KR1.1", 35, 0.5, None),
    (date(2026, 10, 2), "CO-KR1.2", 8, None, None),  # stale by D2
]


@pytest.fixture
def org(tmp_path, store_url):
    write_workbook(tmp_path / "departments" / "company.xlsx", rows(), "en", LOG)
    ws = workspace(tmp_path, store_url)
    engine = open_store(ws.store_url)
    try:
        metric_store.record(
            engine,
            [
                Outcome("bookings", "2026", "ok", v, datetime(2026, 11, d, 6), "erp")
                for d, v in ((10, 3.0), (15, 5.0), (19, 7.0))
            ],
        )
    finally:
        engine.dispose()
    return ws


def test_history_shows_check_ins_metric_values_and_notes_changes(org):
    consolidate(org, as_of=D1)
    write_workbook(org.root / "departments" / "company.xlsx", rows("new plan"), "en", LOG)
    result = consolidate(org, as_of=D2)
    got = {r["ID"]: r for r in table_of(result.output, "History")}
    assert list(got) == ["CO-KR1.1", "CO-KR1.2", "CO-KR1.3", "CO-KR1.4"]
    hand = got["CO-KR1.1"]
    assert (hand["Fed by"], hand["Current"], hand["Latest check-in"]) == ("check-ins", 40, 35)
    assert hand["Checked on"] == "2026-11-18" and hand["Dates"] == "2026-10-01, 2026-11-18"
    assert (hand["1"], hand["2"]) == (20, 35)
    assert hand["Confidence"] == pytest.approx(0.5)
    assert hand["Confidence change"] == pytest.approx(-0.1)
    assert hand["Notes changed on"] == "2026-11-27"
    assert hand["Progress by run"] == "40% → 40%"  # the nightly runs, oldest first
    fed = got["CO-KR1.4"]
    assert fed["Fed by"] == "metric bookings"
    assert (fed["1"], fed["2"], fed["3"]) == (3, 5, 7)
    assert got["CO-KR1.3"]["Dates"] in ("", None)


def test_history_joins_three_nights_read_back_from_the_store(org):
    # The oldest night comes from the store's key result rows, the previous one from
    # the rows Changes reads: one history either way.
    consolidate(org, as_of=D1)
    write_workbook(org.root / "departments" / "company.xlsx", rows("new plan"), "en", LOG)
    consolidate(org, as_of=D2)
    later = rows("new plan")
    later[1]["current"] = 60
    write_workbook(org.root / "departments" / "company.xlsx", later, "en", LOG)
    result = consolidate(org, as_of=date(2026, 12, 4))
    hand = {r["ID"]: r for r in table_of(result.output, "History")}["CO-KR1.1"]
    assert hand["Progress by run"] == "40% → 40% → 60%"
    assert hand["Notes changed on"] == "2026-11-27"


def test_the_dashboard_lists_owners_needing_an_update_with_counts(org):
    result = consolidate(org, as_of=D2)
    dash = sheet(result.output, "Dashboard")
    heading = "Owners whose key results need an update"
    at = next(r for r, row in enumerate(dash) if row[0] == heading)
    assert dash[at + 1][:4] == ["Owner", "Stale", "Never updated", "Key results"]
    assert dash[at + 2][:4] == ["bo@example.org", 1, 1, "CO-KR1.2, CO-KR1.3"]
    assert all(r[0] != "cy@example.org" for r in dash[at + 2 :])  # metric-fed
    found = {(p["Code"], p["ID"]) for p in table_of(result.output, "Problems")}
    assert ("stale", "CO-KR1.2") in found
