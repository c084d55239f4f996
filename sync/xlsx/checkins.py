"""Reading a department workbook's Check-ins sheet next to its OKR table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from python_calamine import CalamineWorkbook

from okr.checkins import is_checkin_sheet, read_checkins
from okr.reading import Table


def with_checkins(
    book: CalamineWorkbook, table: Table, screen: Callable[[str], object] = lambda sheet: None
) -> Table:
    """*table* with the check-ins of *book*'s log sheet and the problems reading them.

    A workbook without the sheet has no check-ins; a sheet that cannot be
    parsed is treated the same way, since the log never blocks the OKR table.
    *screen* raises for a sheet too big to read (``sync.xlsx.reading.check_extent``).
    """
    sheet = next((s for s in book.sheet_names if is_checkin_sheet(s)), None)
    if sheet is None:
        return table
    try:
        screen(sheet)
        grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 - calamine raises several unrelated types
        return table
    checkins, problems = read_checkins(grid, table.workbook, sheet)
    if not checkins and not problems:
        return table
    return replace(table, checkins=checkins, problems=(*table.problems, *problems))
