"""Status: progress against the share of the period elapsed."""

from __future__ import annotations

from datetime import date

import pytest

from okr.periods import parse_period
from okr.settings import Settings
from okr.status import status

Q4 = parse_period("2026-Q4")
MID = date(2026, 11, 15)  # 46 of 92 days: half the quarter


@pytest.mark.parametrize(
    ("progress", "on", "expected"),
    [
        (0.45, MID, "on track"),  # 0.45 >= 0.9 * 0.5
        (0.449, MID, "at risk"),
        (0.30, MID, "at risk"),  # 0.30 >= 0.6 * 0.5
        (0.299, MID, "off track"),
        (0.0, date(2026, 9, 30), "not started"),
        (1.0, date(2027, 1, 15), "on track"),
        (0.8, date(2027, 1, 15), "at risk"),  # period over: expected is 1
        (0.5, date(2027, 1, 15), "off track"),
    ],
)
def test_status_thresholds(progress, on, expected):
    assert status(progress, Q4, on) == expected


def test_thresholds_are_settings():
    strict = Settings(on_track_ratio=1.0, at_risk_ratio=0.8)
    assert status(0.45, Q4, MID, strict) == "at risk"


def test_unknown_progress_or_period_has_no_status():
    assert status(None, Q4, MID) is None
    assert status(0.5, None, MID) is None
