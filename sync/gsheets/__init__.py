"""The Google Sheets layer over gspread: connection, template, reading, write-back, publishing.

Only this package imports gspread and google-auth; nothing here is imported
until a Google Sheet is involved.
"""

from __future__ import annotations

#: What ``okr check`` and ``--parents`` take as a Google Sheet rather than a file path.
SHEET_PREFIXES = ("https://docs.google.com/spreadsheets/", "gsheet:")


def is_sheet_ref(text: str) -> bool:
    """True for a Google Sheets URL or ``gsheet:<ID>``."""
    return text.startswith(SHEET_PREFIXES)
