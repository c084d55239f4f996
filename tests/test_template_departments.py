"""``[departments]`` in the template: Lists names them, the Department column offers them."""

# ruff: noqa: F811 - the fixtures are imported by name from tests.gsheets_fixtures
from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from okr.schema import GUIDE_SHEET, LETTER, SHEET
from sync.cli import cli
from sync.xlsx.template import build_template
from tests.gsheets_fixtures import key_file_data, key_path, standin  # noqa: F401
from tests.gsheets_model import parse_range, read_values
from tests.test_template import _named_cell, _named_values, _validation_sources

NAMES = {"SALES": "Sales", "CS": "Customer Success"}
TOML = '[departments.SALES]\nname = "Sales"\n[departments.CS]\nname = "Customer Success"\n'


def test_lists_names_the_departments_and_the_department_column_offers_them(
    tmp_path: Path,
) -> None:
    wb = openpyxl.load_workbook(build_template(tmp_path / "t.xlsx", departments=NAMES))
    assert _named_values(wb, "DepartmentList") == ["Sales", "Customer Success"]
    source, style = _validation_sources(wb[SHEET])[LETTER["department"]]
    # a warning like Parent's: a new team's name may still be typed and confirmed
    assert source == "Lists!$X$2:$X$3"
    assert style == "warning"
    assert wb["Lists"]["X1"].value == "Departments"


def test_department_option_prefills_the_departments_name(tmp_path: Path) -> None:
    path = build_template(tmp_path / "t.xlsx", department="cs", departments=NAMES)
    wb = openpyxl.load_workbook(path)
    assert _named_cell(wb, "DefaultDepartment").value == "Customer Success"
    guide = " ".join(str(c.value) for c in wb[GUIDE_SHEET]["A"] if c.value)
    assert "Customer Success" in guide
    assert _validation_sources(wb[SHEET])[LETTER["department"]][1] == "warning"


def test_okr_template_reads_the_names_from_okr_toml(tmp_path: Path) -> None:
    (tmp_path / "okr.toml").write_text(TOML, encoding="utf-8")
    out = tmp_path / "cs.xlsx"
    args = ["template", "--config", str(tmp_path / "okr.toml"), "--department", "CS"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert _named_cell(wb, "DefaultDepartment").value == "Customer Success"
    assert _named_values(wb, "DepartmentList") == ["Sales", "Customer Success"]


def test_the_google_template_has_the_same_department_list(tmp_path, standin, key_path) -> None:
    (tmp_path / "okr.toml").write_text(
        f'[google]\ncredentials = "{key_path}"\napi_root = "{standin.url}"\n' + TOML,
        encoding="utf-8",
    )
    args = ["template", "--google", "--config", str(tmp_path / "okr.toml"), "--title", "T"]
    result = CliRunner().invoke(cli, [*args, "--department", "SALES"])
    assert result.exit_code == 0, result.output
    book = max(standin.books.values(), key=lambda b: b.created)
    assert read_values(parse_range(book, "Lists!X1:X3"), "UNFORMATTED_VALUE") == [
        ["Departments"],
        ["Sales"],
        ["Customer Success"],
    ]
    okrs = book.sheet(SHEET)
    sources = [
        v["rule"]["condition"]["values"][0]["userEnteredValue"]
        for v in okrs.validations
        if v["rule"]["condition"]["type"] == "ONE_OF_RANGE"
    ]
    assert "=Lists!$X$2:$X$3" in sources
    assert read_values(parse_range(book, "Lists!V5"), "UNFORMATTED_VALUE") == [["Sales"]]
