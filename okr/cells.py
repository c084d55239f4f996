"""Cell values as spreadsheet readers give them: empty cells, trimmed text, cell text.

Readers (python-calamine, openpyxl, gspread) give an empty cell as ``""`` or
None, text with the spaces typed around it, and whole numbers as floats.
"""

from __future__ import annotations

from collections.abc import Iterable

#: What an empty cell holds.
EMPTY = frozenset({"", None})


def all_empty(values: Iterable[object]) -> bool:
    """True when every value is an empty cell (one set test for a whole row)."""
    try:
        return EMPTY.issuperset(values)
    except TypeError:  # a value that cannot be hashed is not empty
        return False


def cleaned(values: Iterable[object]) -> list[object]:
    """*values* with text trimmed, and text of only spaces as None."""
    return [(v.strip() or None) if isinstance(v, str) else v for v in values]


def clean(value: object) -> object:
    """One value as ``cleaned`` gives it."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def cell_text(value: object) -> str:
    """The text of a cell: ``""`` for empty, ``12`` for the float 12.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def shared(seen: dict[object, float], value: float | None) -> float | None:
    """*value*, or the equal number *seen* kept from an earlier cell: one object per value.

    A sheet repeats its numbers (weights, baselines, targets, confidences) and
    every cell read is an object of its own; sharing them keeps a big
    organisation's rows in less memory. 0.0 and -0.0 are equal but kept apart.
    """
    if value is None:
        return None
    return seen.setdefault((value, str(value)) if value == 0 else value, value)
