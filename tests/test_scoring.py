"""Scoring: every direction, empty and odd inputs, clamping, weighted mean."""

from __future__ import annotations

import pytest

from okr.scoring import achievement, is_done, progress, weighted_mean


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "current", "expected"),
    [
        ("increase", 0, 100, 50, 0.5),
        ("increase", 20, 120, 170, 1.5),  # over-achievement is kept unclamped
        ("increase", 20, 120, 10, -0.1),
        ("increase", None, 10, 5, 0.5),  # empty baseline counts as 0
        ("increase", 100, 100, 100, 0.0),  # target not above baseline: no score
        ("decrease", 64, 50, 57, 0.5),
        ("decrease", 64, 50, 40, 24 / 14),
        ("decrease", 50, 64, 40, 0.0),  # target not below baseline: no score
        ("at least", None, 95, 95, 1.0),
        ("at least", None, 95, 94.9, 0.0),
        ("at most", None, 5, 5, 1.0),
        ("at most", None, 5, 5.1, 0.0),
        ("milestone", None, None, "done", 1.0),
        ("milestone", None, None, "是", 1.0),
        ("milestone", None, None, "完成", 1.0),
        ("milestone", None, None, 1, 1.0),
        ("milestone", None, None, True, 1.0),
        ("milestone", None, None, "Yes", 1.0),
        ("milestone", None, None, "no", 0.0),
        ("milestone", None, None, 0, 0.0),
        ("increase", 0, 100, None, 0.0),  # empty current scores 0
        ("decrease", 64, 50, "", 0.0),
        ("at least", None, None, 5, 0.0),  # no target
        (None, 0, 100, 50, 0.0),
    ],
)
def test_achievement_by_direction(direction, baseline, target, current, expected):
    assert achievement(direction, baseline, target, current) == pytest.approx(expected)


def test_progress_is_clamped_to_unit_interval():
    assert progress("increase", 20, 120, 170) == 1.0
    assert progress("increase", 20, 120, 10) == 0.0
    assert progress("increase", 0, 100, 25) == 0.25


def test_done_words():
    assert all(map(is_done, ["1", "TRUE", "yes", "Done", " 是 ", 1.0, True]))
    assert not any(map(is_done, [None, "", "no", 0, 2, False, "half"]))


def test_weighted_mean():
    assert weighted_mean([(1, 0.5), (3, 1.0)]) == pytest.approx(0.875)
    assert weighted_mean([(0, 0.5)]) is None
    assert weighted_mean([]) is None
