"""What ``set_row`` set of each row, as xlsxwriter keeps it to place images, in little memory.

xlsxwriter keeps ``row -> [height, hidden]`` for every row given to
``set_row`` and reads it back only to place images and shapes
(``Worksheet._size_row``). The Company sheet sets every row, for its outline
level, and hides most of them: as a dict that is an entry per row, tens of
megabytes for a big organisation. ``RowSizes`` answers the same lookups
with one byte per row for rows hidden at the default height, nothing for
rows shown at it (they place images as an unset row does), and one shared
pair for each other size.
"""

from __future__ import annotations

#: The (height, hidden) pairs rows were given, shared by every row that has the same.
_PAIRS: dict[tuple, tuple] = {}


class RowSizes:
    """``row -> (height, hidden)`` for the rows ``set_row`` changed (``FastWorksheet``)."""

    __slots__ = ("_count", "_height", "_hidden", "_rows")

    def __init__(self) -> None:
        """No row set yet."""
        self._rows: dict[int, tuple] = {}
        #: 1 at each row hidden at ``_height``, the sheet's default height then
        self._hidden = bytearray()
        self._height: float | None = None
        self._count = 0

    def __setitem__(self, row: int, size: list | tuple) -> None:
        pair = (size[0], size[1])
        self._rows[row] = _PAIRS.setdefault(pair, pair)
        self._clear_bit(row)

    def settle(self, row: int, default_height: float) -> None:
        """Keep *row*'s size compactly, now that the sheet's default height is known."""
        size = self._rows.get(row)
        if size is None or size[0] != default_height:
            return
        if not size[1]:  # shown at the default height: placed as an unset row is
            del self._rows[row]
        elif self._height in (None, default_height):
            self._height = default_height
            del self._rows[row]
            if len(self._hidden) <= row:
                self._hidden.extend(bytes(row + 1 - len(self._hidden)))
            self._hidden[row] = 1
            self._count += 1

    def _clear_bit(self, row: int) -> None:
        if row < len(self._hidden) and self._hidden[row]:
            self._hidden[row] = 0
            self._count -= 1

    def __contains__(self, row: object) -> bool:
        return row in self._rows or (
            isinstance(row, int) and 0 <= row < len(self._hidden) and self._hidden[row] == 1
        )

    def __getitem__(self, row: int) -> tuple:
        size = self._rows.get(row)
        if size is not None:
            return size
        if 0 <= row < len(self._hidden) and self._hidden[row]:
            return (self._height, True)
        raise KeyError(row)

    def __len__(self) -> int:
        return len(self._rows) + self._count
