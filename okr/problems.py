"""Problems found in OKR data, returned as values.

Codes are stable API: scripts and the add-ins match on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okr.model import Item

ERROR = "error"
WARNING = "warning"

#: Every problem code and its severity. ``unreadable``, ``type`` and
#: ``confidence`` extend the list in DESIGN.md for whole-file failures, a Type
#: that is neither Objective nor Key Result, and a Confidence outside 0-100%;
#: ``renamed`` tells, once, that a workbook came back under a new name.
CODES: dict[str, str] = {
    "unreadable": ERROR,
    "duplicate-id": ERROR,
    "bad-id": ERROR,
    "type": ERROR,
    "kr-parent": ERROR,
    "unknown-parent": ERROR,
    "cycle": ERROR,
    "period": ERROR,
    "target": ERROR,
    "direction": ERROR,
    "weight": ERROR,
    "unknown-metric": ERROR,
    "parent-share": ERROR,
    "orphan": WARNING,
    "no-krs": WARNING,
    "too-many-krs": WARNING,
    "too-many-objectives": WARNING,
    "no-owner": WARNING,
    "stale": WARNING,
    "unit-mismatch": WARNING,
    "confidence": WARNING,
    "checkin": WARNING,
    "detail-mismatch": WARNING,
    "department": WARNING,
    "renamed": WARNING,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: what, how bad, which row, where, and how to fix it."""

    code: str
    severity: str
    id: str
    workbook: str
    sheet: str
    cell: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The JSON shape used by ``okr check --format json``."""
        return {
            "code": self.code,
            "severity": self.severity,
            "id": self.id,
            "workbook": self.workbook,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }

    @property
    def row(self) -> int | None:
        """The 1-based row of ``cell`` (``K14`` -> 14), None for a whole-file problem."""
        digits = "".join(ch for ch in self.cell if ch.isdigit())
        return int(digits) if digits else None

    @property
    def where(self) -> str:
        """``workbook!sheet!cell`` style location for one-line reports."""
        parts = [p for p in (self.workbook, self.sheet) if p]
        loc = " / ".join(parts)
        return f"{loc}!{self.cell}" if self.cell else loc


def make_problem(
    code: str, message: str, *, id: str = "", workbook: str = "", sheet: str = "", cell: str = ""
) -> Problem:
    """Build a Problem whose severity comes from the code table."""
    return Problem(code, CODES[code], id, workbook, sheet, cell, message)


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error (the CLI then exits 1)."""
    return any(p.severity == ERROR for p in problems)


def sort_key(p: Problem) -> tuple:
    """Order problems by workbook, then row, then column, then code."""
    letters = "".join(ch for ch in p.cell if ch.isalpha())
    return (p.workbook, p.sheet, p.row or 0, len(letters), letters, p.code)


def item_problem(code: str, item: Item, key: str | None, message: str) -> Problem:
    """A problem about *item*, at its cell of column *key* (the row when None)."""
    return make_problem(
        code,
        message,
        id=item.id,
        workbook=item.where.workbook,
        sheet=item.where.sheet,
        cell=item.where.cell(key),
    )
