"""The company workbook prints: landscape, one page wide, Dashboard on one page (LibreOffice)."""

from __future__ import annotations

import shutil
from datetime import date

import openpyxl
import pytest

from examples.print_pdf import page_count, sheet_pages, to_pdf
from sync.config import parse_config
from sync.consolidate.run import consolidate
from tests.conftest import ROOT
from tests.libreoffice import libreoffice  # noqa: F401 - the fixture

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """The example organisation's company workbook."""
    root = tmp_path_factory.mktemp("print")
    shutil.copytree(ROOT / "examples" / "org", root / "departments")
    ws = parse_config(
        {
            "organisation": {"name": "Northwind Components & Co"},
            "store": {"url": f"sqlite:///{root / 'okr.db'}"},
            "sources": [{"kind": "folder", "path": "departments"}],
            "output": {"path": "company.xlsx"},
        },
        root,
    )
    return consolidate(ws, as_of=date(2026, 11, 20)).output


def test_every_sheet_has_a_page_setup(company):
    book = openpyxl.load_workbook(company)
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out
        assert "Northwind Components && Co" in ws.oddFooter.left.text
        assert "&P" in ws.oddFooter.right.text
        if ws.title != "Dashboard":
            assert ws.print_title_rows == "$1:$3", ws.title


def test_column_titles_fit_their_columns(company):
    ws = openpyxl.load_workbook(company)["Company"]
    for cell in ws[3]:
        width = ws.column_dimensions[cell.column_letter].width
        assert width >= len(str(cell.value)), cell.value


def test_dashboard_and_company_print_on_few_pages(company, libreoffice, tmp_path):  # noqa: F811
    assert sheet_pages(company, "Dashboard", libreoffice) == 1
    assert sheet_pages(company, "Company", libreoffice) <= 2
    assert page_count(to_pdf(company, tmp_path, libreoffice)) <= 20
