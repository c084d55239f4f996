"""Scoring a key result and averaging progress.

The template's Progress formulas implement the same rules; a LibreOffice test
checks both give the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

from okr.schema import DONE_WORDS, normalise

_DONE = {normalise(w) for w in DONE_WORDS}


def is_done(value: object) -> bool:
    """True when a milestone's Current says it is done (1, TRUE, yes, done, 是, 完成)."""
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return normalise(value) in _DONE


def achievement(
    direction: str | None,
    baseline: float | None,
    target: float | None,
    current: object,
) -> float:
    """Unclamped achievement of a key result; over 1 means over-achieved.

    An empty Current scores 0, and so do targets that make no sense for the
    direction (the cascade check reports those as ``target`` problems).
    A missing Baseline counts as 0.
    """
    if direction == "milestone":
        return 1.0 if is_done(current) else 0.0
    if current is None or current == "" or isinstance(current, bool):
        return 0.0
    if not isinstance(current, int | float) or target is None:
        return 0.0
    b = 0.0 if baseline is None else float(baseline)
    c, t = float(current), float(target)
    if direction == "increase":
        return (c - b) / (t - b) if t > b else 0.0
    if direction == "decrease":
        return (b - c) / (b - t) if t < b else 0.0
    if direction == "at least":
        return 1.0 if c >= t else 0.0
    if direction == "at most":
        return 1.0 if c <= t else 0.0
    return 0.0


def clamp(value: float) -> float:
    """Progress as shown: achievement clamped to [0, 1]."""
    return min(1.0, max(0.0, value))


def progress(
    direction: str | None, baseline: float | None, target: float | None, current: object
) -> float:
    """Clamped progress of a key result in [0, 1]."""
    return clamp(achievement(direction, baseline, target, current))


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Σ wᵢpᵢ / Σ wᵢ over ``(weight, progress)`` pairs; None when the weights sum to 0."""
    num = den = 0.0
    for weight, value in pairs:
        num += weight * value
        den += weight
    return num / den if den > 0 else None
