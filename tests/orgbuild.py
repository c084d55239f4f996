"""Build small department workbooks and workspaces on disk for the consolidation tests.

``write_workbook`` writes a real .xlsx with an ``OKRs`` sheet whose header is
the template's; ``make_org`` lays out a four-workbook organisation whose
numbers the roll-up tests work out by hand (see ``tests/test_rollup.py``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import xlsxwriter

from okr.schema import CHECKINS_SHEET
from sync.config import Workspace, parse_config
from sync.xlsx.template_sheets import strings
from tests.okrdata import grid, kr, obj


def write_workbook(
    path: Path,
    rows: list[dict[str, Any]],
    lang: str = "en",
    checkins: list[tuple] | None = None,
) -> Path:
    """Write *rows* (``okrdata.obj``/``kr`` dicts) as the OKRs sheet of a new .xlsx.

    *checkins* (date, key result ID, value, confidence, note) fill a
    ``Check-ins`` sheet with the template's headers in *lang*.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("OKRs")
    for r, row in enumerate(grid(rows, lang)):
        for c, value in enumerate(row):
            if value not in ("", None):
                ws.write(r, c, value)
    if checkins is not None:
        log = wb.add_worksheet(CHECKINS_SHEET)
        dates = wb.add_format({"num_format": "yyyy-mm-dd"})
        log.write_row(0, 0, strings(lang)["checkins_headers"])
        for r, entry in enumerate(checkins, start=1):
            for c, value in enumerate(entry):
                if isinstance(value, date):
                    log.write_datetime(r, c, datetime.combine(value, time()), dates)
                elif value not in ("", None):
                    log.write(r, c, value)
    wb.close()
    return path


def org_rows() -> dict[str, list[dict[str, Any]]]:
    """The rows of the test organisation, by file name."""
    co = dict(department="Company", period="2026")
    sales = dict(department="Sales")
    ops = dict(department="Operations", owner="olga@example.org")
    emea = dict(department="Sales EMEA")
    return {
        "company.xlsx": [
            obj("CO-O1", "", title="Grow revenue", **co),
            kr("CO-KR1.1", "CO-O1", current=50, **co),
            kr("CO-KR1.2", "CO-O1", current=100, **co),
            obj("CO-O2", "", title="Happy customers", **co),
            kr("CO-KR2.1", "CO-O2", current=20, **co),
        ],
        "sales.xlsx": [
            obj("SALES-O1", "CO-KR1.1", title="New logos", **sales),
            kr("SALES-KR1.1", "SALES-O1", current=60, **sales),
            kr("SALES-KR1.2", "SALES-O1", current=40, weight=3, **sales),
            obj("SALES-O2", "CO-O1", title="Top accounts", **sales),
            kr("SALES-KR2.1", "SALES-O2", current=80, notes="weekly QBRs", **sales),
            obj("SALES-O3", "", title="Pilot: partner channel", **sales),
            kr("SALES-KR3.1", "SALES-O3", current=10, **sales),
        ],
        "ops.xlsx": [
            obj("OPS-O1", "SALES-KR1.2", title="Ship demo units fast", **ops),
            kr("OPS-KR1.1", "OPS-O1", current=30, **ops),
            obj("OPS-O2", "CO-O9", title="Last year's cost goal", **ops),
            kr("OPS-KR2.1", "OPS-O2", current=70, **ops),
        ],
        "emea.xlsx": [
            obj("EMEA-O1", "SALES-O1", title="DACH push", **emea),
            kr("EMEA-KR1.1", "EMEA-O1", current=90, **emea),
        ],
    }


def clean_rows() -> dict[str, list[dict[str, Any]]]:
    """The test organisation without its one error (OPS-O2's unknown parent)."""
    rows = org_rows()
    rows["ops.xlsx"] = [r for r in rows["ops.xlsx"] if r["id"] not in ("OPS-O2", "OPS-KR2.1")]
    return rows


def make_org(folder: Path, rows: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write the test organisation's workbooks into *folder*; return it."""
    for name, content in (rows or org_rows()).items():
        write_workbook(folder / name, content)
    return folder


def workspace(root: Path, store_url: str, *, keep: int = 3, **settings: Any) -> Workspace:
    """A workspace reading ``root/departments`` and writing ``root/out/company.xlsx``."""
    data = {
        "organisation": {"name": "Test Org"},
        "store": {"url": store_url},
        "sources": [{"kind": "folder", "path": "departments"}],
        "output": {"path": "out/company.xlsx", "keep": keep},
        "settings": settings,
    }
    return parse_config(data, root)


def write_config(root: Path, store_url: str, *, keep: int = 3) -> Path:
    """The same workspace as ``workspace`` written as ``root/okr.toml``; its path."""
    path = root / "okr.toml"
    path.write_text(
        '[organisation]\nname = "Test Org"\n\n'
        f'[store]\nurl = "{store_url}"\n\n'
        '[[sources]]\nkind = "folder"\npath = "departments"\n\n'
        f'[output]\npath = "out/company.xlsx"\nkeep = {keep}\n',
        encoding="utf-8",
    )
    return path
