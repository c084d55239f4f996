"""Numbers of one key result on different scales: 0.85 beside 88 in a % key result.

In a key result whose Unit is ``%`` every number is in percentage points (88
for 88 %). A cell typed as a share (0.85, or formatted as a percentage, which
readers see as 0.85) beside others in points would score nonsense (an
achievement of 1146 %), so the check warns with ``unit-mismatch``.
"""

from __future__ import annotations

from collections.abc import Sequence

from okr.model import Item
from okr.numbers import is_percent_unit
from okr.problems import Problem, item_problem

_FIELDS = (("baseline", "Baseline"), ("target", "Target"), ("current", "Current"))


def scale_problems(items: Sequence[Item]) -> list[Problem]:
    """A ``unit-mismatch`` warning for each % key result whose numbers mix shares and points."""
    out = []
    for item in items:
        if not item.is_key_result or not is_percent_unit(item.unit):
            continue
        values = [
            (key, label, float(v))
            for key, label in _FIELDS
            if isinstance(v := getattr(item, key), int | float) and not isinstance(v, bool)
        ]
        shares = [(k, lab, v) for k, lab, v in values if 0 < abs(v) <= 1]
        points = [(k, lab, v) for k, lab, v in values if abs(v) > 1.5]
        if not shares or not points:
            continue
        key, label, value = shares[0]
        other = points[0]
        out.append(
            item_problem(
                "unit-mismatch",
                item,
                key,
                f"{label} {value:g} and {other[1]} {other[2]:g} of {item.id} are on different "
                f"scales: in a % key result type percentage points ({value * 100:g} for "
                f"{value:.0%})",
            )
        )
    return out
