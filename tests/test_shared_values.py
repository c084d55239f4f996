"""Equal values read from sheets are one object: big organisations repeat them."""

from __future__ import annotations

import math
from datetime import date

from okr.cells import shared
from okr.checkins import read_checkins
from okr.model import Location
from tests.okrdata import kr, obj, table


def test_an_equal_number_is_the_one_kept_before() -> None:
    seen: dict[object, float] = {}
    first = shared(seen, float("12.5"))
    again = shared(seen, float("12.5"))
    assert again == 12.5 and again is first
    assert shared(seen, None) is None


def test_zero_keeps_its_sign() -> None:
    seen: dict[object, float] = {}
    assert math.copysign(1, shared(seen, 0.0)) == 1
    assert math.copysign(1, shared(seen, -0.0)) == -1
    assert math.copysign(1, shared(seen, 0.0)) == 1


def test_the_okr_table_shares_its_numbers_and_keeps_their_values() -> None:
    rows = [obj("S-O1", "CO-O1")]
    rows += [kr(f"S-KR{k}", "S-O1", baseline=0, target=100, current=-0.0) for k in (1, 2)]
    first, second = table(rows).items[1:]
    assert (first.baseline, first.target, first.weight) == (0, 100, 1)
    assert first.target is second.target and first.baseline is second.baseline
    assert math.copysign(1, first.current) == -1  # a typed -0 is still -0


def test_the_check_in_log_shares_its_numbers() -> None:
    grid = [
        ["Date", "Key result ID", "Value", "Confidence", "Note"],
        [date(2026, 11, 1), "S-KR1", float("40"), float("0.7"), ""],
        [date(2026, 11, 2), "S-KR2", float("40"), float("0.7"), ""],
    ]
    one, two = read_checkins(grid, "sales.xlsx", "Check-ins")[0]
    assert one.value == 40 and one.value is two.value
    assert one.confidence is two.confidence


def test_the_same_cell_of_two_workbooks_is_one_text() -> None:
    a = Location("sales.xlsx", "OKRs", 14).cell("id")
    b = Location("ops.xlsx", "OKRs", 14).cell("id")
    assert a == "A14" and a is b
