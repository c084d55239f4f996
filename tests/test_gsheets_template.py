# ruff: noqa: F811 - the fixtures are imported by name from tests.gsheets_fixtures
"""``okr template --google``: the template as a Google Sheet (the stand-in), in 4 API calls."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from okr.reading import from_excel_serial
from okr.schema import (
    CHECKINS_SHEET,
    COLUMNS,
    GUIDE_SHEET,
    LISTS_SHEET,
    SHEET,
    header_texts,
    sheet_name,
)
from sync.cli import cli
from sync.xlsx.formulas import (
    FIRST_ROW,
    HELPER_HEADERS,
    HELPER_START,
    HELPERS,
    LAST_ROW,
    row_formulas,
)
from sync.xlsx.template import build_template
from tests.gsheets_export import export_xlsx
from tests.gsheets_fixtures import key_file_data, key_path, standin  # noqa: F401
from tests.gsheets_model import Formula, read_values
from tests.gsheets_model import parse_range as area_of
from tests.libreoffice import libreoffice  # noqa: F401 (a fixture)
from tests.okrdata import obj
from tests.orgbuild import write_workbook


def make(tmp_path: Path, standin, key_path, *args: str, share: str = "ana@example.org"):
    (tmp_path / "okr.toml").write_text(
        f'[google]\ncredentials = "{key_path}"\napi_root = "{standin.url}"\n'
        f'folder_id = "1TemplatesFolder"\nshare_with = ["{share}"]\n',
        encoding="utf-8",
    )
    out = CliRunner().invoke(
        cli, ["template", "--google", "--config", str(tmp_path / "okr.toml"), *args]
    )
    assert out.exit_code == 0, out.output
    url = out.output.strip().splitlines()[-1]
    assert url.startswith("https://docs.google.com/spreadsheets/d/")
    book = max(standin.books.values(), key=lambda b: b.created)
    assert book.id in url
    return book


def values(book, ref: str, option: str = "UNFORMATTED_VALUE") -> list[list]:
    return read_values(area_of(book, ref), option)


def test_at_most_four_calls_whatever_the_rows(tmp_path, standin, key_path):
    book = make(tmp_path, standin, key_path, "--department", "SALES", "--period", "2026-Q4")
    assert standin.counts() == {
        "files.create": 1,
        "spreadsheets.batchUpdate": 1,
        "values.batchUpdate": 1,
        "permissions.create": 1,
    }
    assert book.parents == ["1TemplatesFolder"] and book.title == "OKRs SALES 2026-Q4"
    assert [p["emailAddress"] for p in book.permissions] == ["ana@example.org"]
    assert [s.title for s in sorted(book.sheets, key=lambda s: s.index)] == [
        SHEET,
        CHECKINS_SHEET,
        GUIDE_SHEET,
        LISTS_SHEET,
    ]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_same_headers_names_and_lists_as_the_xlsx_template(tmp_path, standin, key_path, lang):
    book = make(tmp_path, standin, key_path, "--lang", lang, "--title", "T")
    tabs = [sheet_name(k, lang) for k in ("okrs", "checkins", "guide", "lists")]
    assert [s.title for s in sorted(book.sheets, key=lambda s: s.index)] == tabs
    header = values(book, f"'{tabs[0]}'!A1:AH1")[0]
    assert header[: len(COLUMNS)] == header_texts(lang)
    assert header[HELPER_START:] == [HELPER_HEADERS[k] for k in HELPERS]
    xlsx = openpyxl.load_workbook(build_template(tmp_path / "t.xlsx", lang=lang))
    names = {n["name"] for n in book.named_ranges}
    assert names == set(xlsx.defined_names)
    assert xlsx.sheetnames == tabs
    protected = {p["description"] for s in book.sheets for p in s.protected_ranges}
    assert ("“列表”为下拉选项和公式提供数据" in protected) == (lang == "zh-CN")
    lists = xlsx[tabs[3]]
    got = values(book, f"'{tabs[3]}'!A1:V200")
    compared = 0
    for row in lists.iter_rows():
        for c in row:
            if c.value in (None, "") or str(c.value).startswith("="):
                continue
            line = got[c.row - 1] if c.row - 1 < len(got) else []
            there = line[c.column - 1] if c.column - 1 < len(line) else None
            if isinstance(c.value, datetime):
                there = from_excel_serial(there)
            assert there == c.value, c.coordinate
            compared += 1
    assert compared > 200


def test_formulas_are_the_xlsx_templates_formulas(tmp_path, standin, key_path):
    book = make(tmp_path, standin, key_path, "--title", "T")
    okrs = book.sheet(SHEET)
    from sync.xlsx.template_sheets import COLUMN_INDEX

    for row in (FIRST_ROW, 250, LAST_ROW):
        for key, formula in row_formulas(row, "en").items():
            assert okrs.cells[row - 1, COLUMN_INDEX[key]] == Formula(formula)
    assert book.sheet(LISTS_SHEET).cells[3, 21] == Formula("=TODAY()")


def test_dropdowns_protection_colours_and_frozen_header(tmp_path, standin, key_path):
    book = make(tmp_path, standin, key_path, "--department", "SALES", "--title", "T")
    okrs = book.sheet(SHEET)
    sources = sorted(
        v["rule"]["condition"]["values"][0]["userEnteredValue"]
        for v in okrs.validations
        if v["rule"]["condition"]["type"] == "ONE_OF_RANGE"
    )
    assert sources == sorted(
        [
            "=Lists!$A$2:$A$3",
            "=Lists!$F$2:$F$6",
            "=Lists!$K$2:$K$77",
            "=Lists!$O$2:$O$2",
            "=Lists!$V$5",
        ]
    )
    assert all(p["warningOnly"] for p in okrs.protected_ranges)
    statuses = [r for r in okrs.conditional_formats if "booleanRule" in r]
    assert len(statuses) == 4
    assert (okrs.frozen_rows, okrs.frozen_cols) == (1, 1)


def test_parent_dropdown_lists_the_real_parents_from_a_file_and_a_sheet(
    tmp_path, standin, key_path
):
    company = write_workbook(tmp_path / "company.xlsx", [obj("CO-O1", title="Grow revenue")])
    other = standin.new_book("ops")
    standin.put_sheet(
        other,
        SHEET,
        [
            header_texts("en"),
            *[
                [r.get(k, "") for k in ("id", "type", "parent", "title")]
                for r in [obj("OPS-O1", title="=Ship fast")]
            ],
        ],
    )
    book = make(
        tmp_path,
        standin,
        key_path,
        "--title",
        "T",
        "--parents",
        str(company),
        "--parents",
        f"https://docs.google.com/spreadsheets/d/{other.id}/edit",
    )
    del standin.books[other.id]
    lists = book.sheet(LISTS_SHEET)
    parents = [lists.cells.get((r, 14)) for r in (1, 2)]
    assert parents == ["CO-O1 · Grow revenue", "OPS-O1 · =Ship fast"]  # text, not a formula


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_sheets_formulas_give_the_templates_numbers_in_libreoffice(
    tmp_path, standin, key_path, libreoffice, lang
):
    from tests.test_template_recalc import ROWS_EN, ROWS_ZH, check_template

    book = make(tmp_path, standin, key_path, "--title", "T", "--lang", lang)
    template = export_xlsx(book, tmp_path / "from-sheets.xlsx")
    seen = check_template(tmp_path, lang, ROWS_EN if lang == "en" else ROWS_ZH, template=template)
    assert seen >= {"on track", "at risk", "off track", "not started"}
