"""Periods: the four forms, their dates, elapsed share and containment."""

from __future__ import annotations

from datetime import date

import pytest

from okr.periods import parse_period, periods_of_year


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        (" 2026-q3 ", date(2026, 7, 1), date(2026, 9, 30)),
        (2026, date(2026, 1, 1), date(2026, 12, 31)),
        (2026.0, date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_period_forms_give_their_dates(label, start, end):
    p = parse_period(label)
    assert p is not None
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize(
    "label", ["", "Q4", "2026-Q5", "2026-H3", "2026-13", "26-Q1", "2026/Q4", None, 2026.5]
)
def test_malformed_periods_are_rejected(label):
    assert parse_period(label) is None


def test_elapsed_share_counts_whole_days_and_is_clamped():
    q4 = parse_period("2026-Q4")
    assert q4.days == 92
    assert q4.elapsed(date(2026, 10, 1)) == pytest.approx(1 / 92)
    assert q4.elapsed(date(2026, 11, 15)) == pytest.approx(46 / 92)
    assert q4.elapsed(date(2026, 9, 1)) == 0.0
    assert q4.elapsed(date(2027, 2, 1)) == 1.0


def test_containment():
    assert parse_period("2026").contains(parse_period("2026-Q4"))
    assert parse_period("2026-H2").contains(parse_period("2026-11"))
    assert not parse_period("2026-Q3").contains(parse_period("2026-Q4"))


def test_periods_of_year_lists_year_halves_quarters_months():
    labels = [p.label for p in periods_of_year(2026)]
    assert labels[:3] == ["2026", "2026-H1", "2026-H2"]
    assert len(labels) == 19
