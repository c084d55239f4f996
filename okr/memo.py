"""Pure functions remembered for the text they were given.

A sheet names the same few types, directions, units, periods and parents on
every row: each text is read once. Safe to share between threads (reading
workbooks on several threads does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def by_text(fn: Callable[[Any], T], limit: int = 4096) -> Callable[[Any], T]:
    """*fn*, remembering its result for each text argument; other values are passed on.

    At most *limit* texts are kept: past that the memory starts over.
    """
    seen: dict[str, T] = {}

    def remembered(value: Any) -> T:
        if type(value) is not str:
            return fn(value)
        found = seen.get(value, seen)
        if found is seen:
            if len(seen) >= limit:
                seen.clear()
            found = seen[value] = fn(value)
        return found  # type: ignore[return-value]

    return remembered
