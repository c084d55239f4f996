"""Status: progress compared with the share of the period elapsed."""

from __future__ import annotations

from datetime import date

from okr.periods import Period
from okr.settings import Settings


def status(
    progress: float | None,
    period: Period | None,
    on: date,
    settings: Settings | None = None,
) -> str | None:
    """``on track``, ``at risk``, ``off track`` or ``not started``; None when unknown.

    Depends only on progress, period and the evaluation date, exactly like the
    sheet's Status formula, so both always agree.
    """
    if progress is None or period is None:
        return None
    s = settings or Settings()
    if on < period.start:
        return "not started"
    expected = period.elapsed(on)
    if progress >= s.on_track_ratio * expected:
        return "on track"
    if progress >= s.at_risk_ratio * expected:
        return "at risk"
    return "off track"
