"""The spreadsheet side: xlwings UDFs, the Office.js add-in (office/), Apps Script (gsheets/)."""

from __future__ import annotations

from pathlib import Path

#: Where ``okr serve`` serves the Office.js add-in's files, below the service's URL;
#: the manifest written by ``okr addin office`` points there.
OFFICE_PATH = "/addin/office"


def files_of(name: str) -> Path:
    """The folder of add-in files *name* (``office`` or ``gsheets``) shipped with the package."""
    return Path(__file__).parent / name
