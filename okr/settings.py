"""Settings of the domain rules: one table of names, defaults and help.

Each setting can be overridden in ``okr.toml`` under ``[settings]``; a test
checks that every one is documented in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Setting:
    """A named setting with its default and one line of help."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("max_krs_per_objective", 5, "More key results than this under one objective warns"),
    Setting("max_objectives_per_owner", 5, "More objectives than this for one owner or team warns"),
    Setting("stale_days", 14, "A metric-fed Current older than this many days warns"),
    Setting(
        "checkin_days",
        14,
        "A hand-typed key result with no check-in for this many days warns",
    ),
    Setting("on_track_ratio", 0.9, "On track when progress >= this x the share of period elapsed"),
    Setting("at_risk_ratio", 0.6, "At risk when progress >= this x elapsed share, else off track"),
    Setting(
        "rollup_mode",
        "both",
        "What a parent's progress averages: 'krs' (own key results), "
        "'children' (aligned objectives) or 'both'",
    ),
    Setting(
        "top_level", "Company", "Department name of the top of the pyramid (may have no parent)"
    ),
    Setting(
        "max_rows",
        20_000,
        "An OKRs sheet with content below this row is refused as unreadable (a pasted data dump)",
    ),
)


@dataclass(frozen=True)
class Settings:
    """The values in force; build with ``Settings.from_mapping``."""

    max_krs_per_objective: int = 5
    max_objectives_per_owner: int = 5
    stale_days: int = 14
    checkin_days: int = 14
    on_track_ratio: float = 0.9
    at_risk_ratio: float = 0.6
    rollup_mode: str = "both"
    top_level: str = "Company"
    max_rows: int = 20_000

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> Settings:
        """Defaults overridden by *values*; unknown names raise ``ValueError``."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        settings = replace(cls(), **values)
        if settings.rollup_mode not in ("krs", "children", "both"):
            raise ValueError("rollup_mode must be 'krs', 'children' or 'both'")
        return settings


assert {s.name for s in SETTINGS} == {f.name for f in fields(Settings)}
assert all(getattr(Settings(), s.name) == s.default for s in SETTINGS)
