"""Every problem code: a case that raises it and a case that does not."""

from __future__ import annotations

from datetime import date

import pytest

from okr.cascade import check
from okr.problems import CODES, ERROR, WARNING
from okr.reading import read_table
from tests.okrdata import grid, kr, obj, table

TODAY = date(2026, 11, 27)
COMPANY = [
    obj("CO-O1", department="Company", period="2026"),
    kr("CO-KR1.1", "CO-O1", department="Company", period="2026"),
]


def problems(rows, *, metrics=None, context=(), **kw):
    """Problems raised while reading and checking *rows* with the company rows."""
    t = table(COMPANY + rows)
    found = list(t.problems) + check(t.items, today=TODAY, metrics=metrics, context=context, **kw)
    return found


def codes(rows, **kw):
    return {(p.code, p.id) for p in problems(rows, **kw)}


def healthy():
    return [obj("S-O1", "CO-O1"), kr("S-KR1.1", "S-O1"), kr("S-KR1.2", "S-O1")]


def test_a_healthy_cascade_has_no_problems():
    assert problems(healthy()) == []


CASES = {
    "duplicate-id": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1"), kr("S-KR1", "S-O1")],
    "bad-id": [obj("S O1", "CO-O1"), kr("S-KR1", "S O1")],
    "type": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", type="Goal")],
    "kr-parent": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1"), kr("S-KR2", "S-KR1")],
    "unknown-parent": [obj("S-O1", "CO-O9"), kr("S-KR1", "S-O1")],
    "cycle": [
        obj("S-O1", "S-O2"),
        kr("S-KR1", "S-O1"),
        obj("S-O2", "S-O1"),
        kr("S-KR2", "S-O2"),
    ],
    "period": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", period="2026-Q5")],
    "target": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", baseline=80, target=60)],
    "direction": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", direction="sideways")],
    "weight": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", weight=-1)],
    "unknown-metric": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", metric="no_such_metric")],
    "orphan": [obj("S-O1"), kr("S-KR1", "S-O1")],
    "no-krs": [obj("S-O1", "CO-O1")],
    "too-many-krs": [obj("S-O1", "CO-O1"), *[kr(f"S-KR{i}", "S-O1") for i in range(6)]],
    "too-many-objectives": [
        x for i in range(6) for x in (obj(f"S-O{i}", "CO-O1"), kr(f"S-KR{i}", f"S-O{i}"))
    ],
    "no-owner": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", owner="")],
    "stale": [
        obj("S-O1", "CO-O1"),
        kr("S-KR1", "S-O1", metric="bookings", as_of=date(2026, 10, 1)),
    ],
    "unit-mismatch": [
        obj("S-O1", "CO-O1"),
        kr("S-KR1", "S-O1", metric="bookings", unit="USD", as_of=TODAY),
    ],
    "confidence": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", confidence=1.7e3)],
    "parent-share": [
        obj("CO-O2", department="Company", period="2026"),
        kr("CO-KR2.1", "CO-O2", department="Company", period="2026"),
        obj("S-O1", "CO-O1 60%; CO-O2 30%"),
        kr("S-KR1", "S-O1"),
    ],
    "department": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", department="")],
}
#: Raised outside ``check``: reading check-ins (tests/test_checkins.py),
#: reconciling metric detail (tests/test_detail.py) and finding a renamed
#: workbook (tests/test_rename.py, tests/test_compute.py).
ELSEWHERE = {"unreadable", "checkin", "detail-mismatch", "renamed"}
REGISTRY = {"bookings": "EUR"}


@pytest.mark.parametrize("code", sorted(c for c in CODES if c not in ELSEWHERE))
def test_each_code_is_raised_by_its_case(code):
    found = problems(CASES[code], metrics=REGISTRY)
    assert code in {p.code for p in found}
    p = next(p for p in found if p.code == code)
    assert p.severity == CODES[code]
    assert p.workbook == "sales.xlsx" and p.sheet == "OKRs"
    assert p.cell and p.cell[0].isalpha() and p.cell[-1].isdigit()
    assert ":" in p.message  # every message says how to fix it after a colon


FIXES = {
    "duplicate-id": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1"), kr("S-KR2", "S-O1")],
    "bad-id": [obj("S-O1", "CO-O1"), kr("S-KR1.1", "S-O1")],
    "type": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", type="KR")],
    "kr-parent": healthy(),
    "unknown-parent": healthy(),
    "cycle": healthy(),
    "period": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", period="2026-11")],
    "target": [
        obj("S-O1", "CO-O1"),
        kr("S-KR1", "S-O1", baseline=80, target=60, direction="decrease"),
    ],
    "direction": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", direction="At Least")],
    "weight": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", weight=0), kr("S-KR2", "S-O1")],
    "unknown-metric": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", metric="bookings", as_of=TODAY)],
    "orphan": healthy(),
    "no-krs": healthy(),
    "too-many-krs": [obj("S-O1", "CO-O1"), *[kr(f"S-KR{i}", "S-O1") for i in range(5)]],
    "too-many-objectives": [
        x for i in range(5) for x in (obj(f"S-O{i}", "CO-O1"), kr(f"S-KR{i}", f"S-O{i}"))
    ],
    "no-owner": healthy(),
    "stale": [
        obj("S-O1", "CO-O1"),
        kr("S-KR1", "S-O1", metric="bookings", as_of=date(2026, 11, 20)),
    ],
    "unit-mismatch": [
        obj("S-O1", "CO-O1"),
        kr("S-KR1", "S-O1", metric="bookings", unit="eur", as_of=TODAY),
    ],
    "confidence": [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", confidence="70%")],
    "parent-share": [
        obj("CO-O2", department="Company", period="2026"),
        kr("CO-KR2.1", "CO-O2", department="Company", period="2026"),
        obj("S-O1", "CO-O1 60%; CO-O2 40%"),
        kr("S-KR1", "S-O1"),
    ],
}


@pytest.mark.parametrize("code", sorted(FIXES))
def test_each_code_is_silent_once_fixed(code):
    assert code not in {p.code for p in problems(FIXES[code], metrics=REGISTRY)}


def test_duplicate_ids_across_workbooks_name_the_other_place():
    a = read_table(grid([obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1")]), "sales.xlsx", "OKRs")
    b = read_table(grid([obj("S-O1", "CO-O1"), kr("F-KR1", "S-O1")]), "finance.xlsx", "OKRs")
    found = [p for p in check([*a.items, *b.items], today=TODAY) if p.code == "duplicate-id"]
    assert {p.workbook for p in found} == {"sales.xlsx", "finance.xlsx"}
    assert "finance.xlsx A2" in next(p for p in found if p.workbook == "sales.xlsx").message


def test_parents_in_context_workbooks_resolve_but_are_not_checked():
    company = table([obj("CO-O1", department="Company", period="2026")], "company.xlsx")
    dept = table([obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1")])
    found = check(dept.items, today=TODAY, context=company.items)
    assert found == []  # CO-O1's own "no-krs" is not reported: it is only context


def test_cycle_is_reported_once_with_its_path():
    found = [p for p in problems(CASES["cycle"]) if p.code == "cycle"]
    assert len(found) == 1
    assert "S-O1 → S-O2 → S-O1" in found[0].message or "S-O2 → S-O1 → S-O2" in found[0].message


def test_child_period_outside_parent_period_is_a_period_error():
    rows = [obj("S-O1", "CO-O1", period="2027-Q1"), kr("S-KR1", "S-O1", period="2027-Q1")]
    found = [p for p in problems(rows) if p.code == "period"]
    assert [p.id for p in found] == ["S-O1"]
    assert found[0].cell == "G4"


def test_failed_metric_mark_is_a_stale_warning_with_the_reason():
    rows = [
        obj("S-O1", "CO-O1"),
        kr("S-KR1", "S-O1", metric="bookings", as_of="2026-11-20 06:00 (failed: timeout)"),
    ]
    found = [p for p in problems(rows, metrics=REGISTRY) if p.code == "stale"]
    assert len(found) == 1 and "failed: timeout" in found[0].message
    assert found[0].severity == WARNING


def test_problem_cells_point_at_the_offending_column():
    found = problems(CASES["target"])
    assert next(p for p in found if p.code == "target").cell == "K5"


def test_errors_and_warnings_are_the_documented_severities():
    assert {c for c, s in CODES.items() if s == ERROR} >= {
        "duplicate-id", "bad-id", "kr-parent", "unknown-parent", "cycle",
        "period", "target", "direction", "weight", "unknown-metric",
    }  # fmt: skip
    assert {c for c, s in CODES.items() if s == WARNING} >= {
        "orphan", "no-krs", "too-many-krs", "too-many-objectives",
        "no-owner", "stale", "unit-mismatch",
    }  # fmt: skip
