"""OKR periods: ``2026``, ``2026-H1``, ``2026-Q4`` and ``2026-11``, with their dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

_PATTERN = re.compile(r"^\s*(\d{4})(?:\s*-\s*(?:([HhQq])([1-4])|(\d{1,2})))?\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period; ``end`` is the last day included."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def elapsed(self, on: date) -> float:
        """Share of the period elapsed at the end of day *on*, clamped to [0, 1].

        The sheet computes ``(AsOfDate - Start + 1) / (End - Start + 1)`` the
        same way, so both give the same number.
        """
        share = ((on - self.start).days + 1) / self.days
        return min(1.0, max(0.0, share))

    def contains(self, other: Period) -> bool:
        """True when *other* lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@lru_cache(maxsize=1024)
def parse_period(text: object) -> Period | None:
    """Parse a period label; None when it is not one of the four forms."""
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        if float(text).is_integer():
            text = str(int(text))
        else:
            return None
    m = _PATTERN.match(str(text))
    if not m:
        return None
    year = int(m.group(1))
    if m.group(2):
        kind, n = m.group(2).upper(), int(m.group(3))
        if kind == "H" and n > 2:
            return None
        months = 6 if kind == "H" else 3
        first = (n - 1) * months + 1
        label = f"{year}-{kind}{n}"
    elif m.group(4):
        first, months = int(m.group(4)), 1
        if not 1 <= first <= 12:
            return None
        label = f"{year}-{first:02d}"
    else:
        first, months, label = 1, 12, str(year)
    start = date(year, first, 1)
    end = _month_start(year, first + months) - timedelta(days=1)
    return Period(start, end, label)


def periods_of_year(year: int) -> list[Period]:
    """Every period label of *year*: the year, halves, quarters and months."""
    labels = [str(year), f"{year}-H1", f"{year}-H2"]
    labels += [f"{year}-Q{q}" for q in range(1, 5)]
    labels += [f"{year}-{m:02d}" for m in range(1, 13)]
    return [p for p in map(parse_period, labels) if p]
