"""The Google Sheets layer over gspread: connection, template, reading, write-back, publishing.

Only this package imports gspread and google-auth; nothing here is imported
until a Google Sheet is involved.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okr.reading import Table
    from sync.config import Workspace

#: What ``okr check`` and ``--parents`` take as a Google Sheet rather than a file path.
SHEET_PREFIXES = ("https://docs.google.com/spreadsheets/", "gsheet:")


def is_sheet_ref(text: str) -> bool:
    """True for a Google Sheets URL or ``gsheet:<ID>``."""
    return text.startswith(SHEET_PREFIXES)


def reader(ws: Workspace) -> Callable[[Path | str], Table]:
    """Read a workbook file, or a Google Sheet by URL (connecting once, on first need)."""
    api = None

    def read(p: Path | str, *, name: str | None = None, parents: bool = False) -> Table:
        nonlocal api
        if isinstance(p, str) and is_sheet_ref(p):
            from sync.gsheets.client import GoogleApi, GoogleConfig
            from sync.gsheets.read import read_ref

            if api is None:
                api = GoogleApi(GoogleConfig.from_workspace(ws))
            return read_ref(api, p, decimal=ws.decimal)
        from sync.xlsx.reading import read_workbook

        settings = ws.settings
        return read_workbook(
            p, name=name, max_rows=settings.max_rows, decimal=ws.decimal, parents=parents
        )

    return read
