"""Recalculate a workbook with headless LibreOffice, for tests that check formulas.

``recalculate(src, dst_dir)`` converts *src* to .xlsx in *dst_dir* with a fresh,
throw-away LibreOffice profile whose settings force every formula to be
recomputed on load (by default LibreOffice trusts the cached values that
xlsxwriter and openpyxl leave at 0 or empty). Read the result with
python-calamine to see what a spreadsheet application computes.

Use the ``libreoffice`` fixture (import it into the test module) or call
``require_libreoffice()``: both skip when ``soffice`` is missing, unless
``OKR_REQUIRE_LIBREOFFICE=1``, which turns the skip into a failure (CI sets it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from examples.print_pdf import convert

REQUIRE_FLAG = "OKR_REQUIRE_LIBREOFFICE"

# OOXMLRecalcMode / ODFRecalcMode: 0 = always recalculate, 1 = never, 2 = ask.
_ITEM = (
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="{name}" oor:op="fuse"><value>0</value></prop></item>'
)
_PROFILE_SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    + _ITEM.format(name="OOXMLRecalcMode")
    + _ITEM.format(name="ODFRecalcMode")
    + "\n</oor:items>\n"
)


def soffice_path() -> str | None:
    """Path of the ``soffice`` executable, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_libreoffice() -> str:
    """Return the ``soffice`` path; skip the test (or fail under OKR_REQUIRE_LIBREOFFICE=1)."""
    path = soffice_path()
    if path:
        return path
    reason = "LibreOffice (soffice) is not installed; apt-get install libreoffice-calc"
    if os.environ.get(REQUIRE_FLAG) == "1":
        pytest.fail(f"{reason} (and {REQUIRE_FLAG}=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """The ``soffice`` path; skips the test when LibreOffice is missing."""
    return require_libreoffice()


def recalculate(src: Path, dst_dir: Path, *, soffice: str | None = None) -> Path:
    """Open *src* in headless LibreOffice, recompute every formula, save .xlsx in *dst_dir*.

    Returns the path of the written file (``dst_dir / f"{src.stem}.xlsx"``).
    Raises ``RuntimeError`` with LibreOffice's output when the conversion fails.
    """
    src, dst_dir = Path(src).resolve(), Path(dst_dir).resolve()
    if src.parent == dst_dir:
        # soffice would overwrite its own input.
        raise ValueError(f"dst_dir must differ from the folder of {src}")
    # Our recalculation setting must be the one in force: a profile of its own.
    return convert(
        src,
        dst_dir,
        "xlsx:Calc MS Excel 2007 XML",
        soffice=soffice or soffice_path(),
        profile_settings=_PROFILE_SETTINGS,
    )
