"""The OKR model: one frozen ``Item`` per objective or key result row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from sys import intern

from okr.periods import Period
from okr.schema import LETTER

OBJECTIVE = "objective"
KEY_RESULT = "key result"


def id_key(item_id: str | None) -> str:
    """The form of an ID used to compare IDs: IDs differ by more than case or not at all.

    Spreadsheet lookups (MATCH, XLOOKUP, COUNTIF) ignore case, so the
    template's formulas find ``bad-o1`` for ``BAD-O1``; the checks, roll-up
    and tree do the same. An ID already in that form is returned as it is,
    so maps keyed by it hold no second copy of every ID.
    """
    if not item_id:
        return ""
    key = item_id.upper()
    return item_id if key == item_id else key


@dataclass(frozen=True, slots=True)
class Location:
    """Where a row lives: workbook name, sheet, 1-based row, and column letters."""

    workbook: str
    sheet: str
    row: int
    letters: tuple[tuple[str, str], ...] = field(default=tuple(LETTER.items()), repr=False)

    def cell(self, key: str | None = None) -> str:
        """A1 reference of column *key* in this row (column A when absent)."""
        letter = dict(self.letters).get(key or "id", "A")
        # Interned: every workbook's problems name the same few hundred cells.
        return intern(f"{letter}{self.row}")


@dataclass(frozen=True, slots=True)
class Item:
    """An objective or a key result as read from one row."""

    id: str
    kind: str | None
    #: the first parent's ID (the only one for most rows)
    parent: str | None
    title: str = ""
    owner: str = ""
    department: str = ""
    period_label: str = ""
    period: Period | None = None
    direction: str | None = None
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    current: float | str | bool | None = None
    weight: float = 1.0
    confidence: float | None = None
    metric: str = ""
    as_of: datetime | None = None
    #: set when the metric refresh marked this value as not fresh ("failed: reason")
    metric_state: str = ""
    notes: str = ""
    #: ``(parent ID, share)`` per parent when the Parent cell lists several or a
    #: share; empty for a single parent (see ``okr.shares.parents_of``)
    shares: tuple[tuple[str, float], ...] = ()
    where: Location = field(default_factory=lambda: Location("", "", 0))
    #: keys of the number cells that held something other than a number (reported when read)
    unread: tuple[str, ...] = ()

    @property
    def is_objective(self) -> bool:
        """True for an objective row."""
        return self.kind == OBJECTIVE

    @property
    def is_key_result(self) -> bool:
        """True for a key result row."""
        return self.kind == KEY_RESULT
