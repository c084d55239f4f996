"""Roll-up numbers against values worked out by hand, for each ``rollup_mode``.

The test organisation (``tests/orgbuild.py``), every key result an
``increase`` from 0 to 100, so progress is Current / 100:

    CO-O1   KRs CO-KR1.1 .50, CO-KR1.2 1.00          own (.5 + 1) / 2 = .75
            aligned objective SALES-O2 (.80)
    CO-O2   KR  CO-KR2.1 .20                         own .20
    SALES-O1 (serves CO-KR1.1) KRs .60 (w1), .40 (w3) own (.6 + 1.2) / 4 = .45
            aligned objective EMEA-O1 (.90)
    SALES-O2 (serves CO-O1)  KR .80                  own .80
    SALES-O3 (pilot)         KR .10;  OPS-O1 .30 (serves a KR);  OPS-O2 .70;  EMEA-O1 .90

krs:      every objective shows its own number.
children: CO-O1 = SALES-O2 = .80; SALES-O1 = EMEA-O1 = .90; the rest own.
both:     CO-O1 = (.5 + 1 + .8) / 3 = .766667; SALES-O1 = (.6 + 3 x .4 + .9) / 5 = .54.
Objectives serving a key result (SALES-O1 under CO-KR1.1) never change the key result.
"""

from __future__ import annotations

from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from okr.rollup import score_all
from okr.settings import Settings
from sync.consolidate.run import consolidate
from tests.okrdata import kr, obj, table
from tests.orgbuild import make_org, org_rows, workspace

OWN = {
    "CO-O1": 0.75,
    "CO-O2": 0.20,
    "SALES-O1": 0.45,
    "SALES-O2": 0.80,
    "SALES-O3": 0.10,
    "OPS-O1": 0.30,
    "OPS-O2": 0.70,
    "EMEA-O1": 0.90,
    "CO-KR1.1": 0.50,
    "CO-KR1.2": 1.00,
}
EXPECTED = {
    "krs": dict(OWN),
    "children": {**OWN, "CO-O1": 0.80, "SALES-O1": 0.90},
    "both": {**OWN, "CO-O1": 2.3 / 3, "SALES-O1": 0.54},
}


def org_items():
    return [i for name, rows in org_rows().items() for i in table(rows, name).items]


@pytest.mark.parametrize("mode", ["krs", "children", "both"])
def test_rolled_progress_matches_the_hand_computed_values(mode):
    scores = score_all(org_items(), date(2026, 11, 15), Settings(rollup_mode=mode))
    for item_id, value in EXPECTED[mode].items():
        assert scores[item_id].rolled == pytest.approx(value), item_id
    for item_id, value in OWN.items():
        assert scores[item_id].progress == pytest.approx(value), item_id


def test_child_objective_weights_count_in_both_mode():
    rows = org_rows()
    rows["sales.xlsx"][3]["weight"] = 2  # SALES-O2
    items = [i for name, r in rows.items() for i in table(r, name).items]
    scores = score_all(items, date(2026, 11, 15), Settings(rollup_mode="both"))
    assert scores["CO-O1"].rolled == pytest.approx((0.5 + 1.0 + 2 * 0.8) / 4)


@pytest.mark.parametrize(
    ("mode", "a", "b"), [("krs", 0.2, 0.4), ("children", 1.0, 1.0), ("both", 0.45, 0.7)]
)
def test_three_levels_roll_up(mode, a, b):
    items = table(
        [
            obj("A", department="Company", period="2026"),
            kr("A-KR", "A", current=20, period="2026"),
            obj("B", "A"),
            kr("B-KR", "B", current=40),
            obj("C", "B"),
            kr("C-KR", "C", current=100),
        ]
    ).items
    scores = score_all(items, date(2026, 11, 15), Settings(rollup_mode=mode))
    assert scores["A"].rolled == pytest.approx(a)
    assert scores["B"].rolled == pytest.approx(b)
    assert scores["C"].rolled == pytest.approx(1.0)


def test_status_uses_the_rolled_number():
    # 2026-11-15 is day 319 of 365: on track from .9 x .874 = .787, at risk from .524.
    scores = score_all(org_items(), date(2026, 11, 15), Settings(rollup_mode="both"))
    assert scores["CO-O1"].status == "at risk"  # .767
    assert scores["CO-O2"].status == "off track"  # .20


@pytest.mark.parametrize("mode", ["krs", "children", "both"])
def test_the_company_sheet_shows_the_rolled_numbers(tmp_path, mode):
    make_org(tmp_path / "departments")
    ws = workspace(tmp_path, f"sqlite:///{tmp_path / 'okr.db'}", rollup_mode=mode)
    result = consolidate(ws, as_of=date(2026, 11, 15))
    rows = CalamineWorkbook.from_path(result.output).get_sheet_by_name("Company").to_python()
    header = rows[2]
    progress = {r[0]: r[header.index("Progress")] for r in rows[3:]}
    for item_id, value in EXPECTED[mode].items():
        assert progress[item_id] == pytest.approx(value), item_id
