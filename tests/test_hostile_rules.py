"""The rules behind the hostile corpus, one behaviour each, over real files where it reads them."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from okr.cascade import check
from okr.reading import parse_number, read_table
from okr.rollup import score_all
from okr.tree import build_tree
from sync.cli import cli
from sync.cli.terminal import printable
from sync.company.style import legal_sheet_name
from sync.config import parse_config
from sync.errors import ConfigError, InputError
from sync.xlsx.bounds import (
    above,
    column_name,
    columns_up_to,
    sheet_extent,
    sheet_part,
    up_to,
    within,
)
from sync.xlsx.reading import read_workbook
from sync.xlsx.safe_values import xml_legal
from tests.conftest import ROOT
from tests.data.hostile.make_hostile import HEADER, okr_rows, sheet_xml, write_xlsx
from tests.data.hostile.make_hostile import kr as hkr
from tests.data.hostile.make_hostile import obj as hobj
from tests.okrdata import grid, kr, obj

ON = date(2026, 11, 15)


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("12.5", None, 12.5),
        ("1,234.5", None, 1234.5),
        ("1.234,5", None, 1234.5),
        ("1.500.000", None, 1_500_000),
        ("1,500,000", None, 1_500_000),
        ("0.125", None, 0.125),
        ("45%", None, 0.45),
        ("12,5", ",", 12.5),
        ("1.234", ",", 1234),
        ("1 234,5", ",", 1234.5),
        ("1,200", ".", 1200),
        ("1.234", ".", 1.234),
    ],
)
def test_typed_numbers_are_read_when_they_mean_one_number(text, decimal, value):
    assert parse_number(text, decimal) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "decimal"),
    [
        ("12,5", None),
        ("1,200", None),
        ("1.234", None),
        ("1.500.000", "."),
        ("1,2345", "."),
        ("x", None),
    ],
)
def test_ambiguous_or_garbled_numbers_raise(text, decimal):
    with pytest.raises(ValueError):
        parse_number(text, decimal)


def test_an_ambiguous_target_is_one_problem_at_its_cell_naming_the_setting():
    rows = [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", target="12,5")]
    table = read_table(grid(rows), "s.xlsx", "OKRs")
    found = [*table.problems, *check(list(table.items), today=ON)]
    at_k3 = [p for p in found if p.cell == "K3"]
    assert [p.code for p in at_k3] == ["target"]  # not also "has no Target"
    assert "[organisation] decimal" in at_k3[0].message
    read = read_table(grid(rows), "s.xlsx", "OKRs", decimal=",")
    assert read.items[1].target == 12.5 and not read.problems


def test_organisation_decimal_is_validated():
    ws = parse_config({"organisation": {"decimal": ","}}, Path("."))
    assert ws.decimal == ","
    with pytest.raises(ConfigError, match="decimal"):
        parse_config({"organisation": {"decimal": ";"}}, Path("."))


def test_error_values_are_named_at_their_cells(tmp_path):
    path = tmp_path / "errors.xlsx"
    from tests.data.hostile.make_hostile import error_values

    error_values(path)
    table = read_workbook(path)
    by_cell = {p.cell: p for p in table.problems}
    assert "#N/A" in by_cell["L3"].message and by_cell["L3"].code == "target"
    assert "#DIV/0!" in by_cell["J4"].message
    assert by_cell["M5"].code == "weight" and "#VALUE!" in by_cell["M5"].message
    assert "#REF!" in by_cell["K6"].message
    later = check(list(table.items), today=ON)
    assert not [p for p in later if p.cell == "K6"]  # one mistake, one message


def test_ids_ignore_case_for_duplicates_parents_and_the_roll_up():
    rows = [
        obj("S-O1", "CO-O1"),
        kr("S-KR1", "s-o1", current=80),
        kr("s-kr1", "S-O1"),
    ]
    items = list(read_table(grid(rows), "s.xlsx", "OKRs").items)
    found = check(items, today=ON)
    assert {p.id for p in found if p.code == "duplicate-id"} == {"S-KR1", "s-kr1"}
    assert not [p for p in found if p.code == "unknown-parent" and p.id.startswith("S-KR")]
    tree = build_tree(items)
    assert [n.id for n in tree.nodes if n.depth == 2] == ["S-KR1", "s-kr1"]


def test_a_row_without_id_gets_one_problem_at_its_own_cell():
    rows = [obj("S-O1", "CO-O1"), kr("", "S-O1")]
    table = read_table(grid(rows), "s.xlsx", "OKRs")
    found = [*table.problems, *check(list(table.items), today=ON)]
    assert [(p.code, p.cell) for p in found if p.code in ("bad-id", "cycle")] == [("bad-id", "A3")]


def test_a_deep_chain_and_a_wide_loop_are_scored_without_recursion():
    chain = [obj("C-O0", department="Company")]
    chain += [obj(f"C-O{n}", f"C-O{n - 1}") for n in range(1, 5000)]
    chain.append(kr("C-KR1", "C-O4999", current=50))
    loop = [obj(f"L-O{n}", f"L-O{(n + 1) % 10_000}") for n in range(10_000)]
    items = list(read_table(grid(chain + loop), "s.xlsx", "OKRs").items)
    scores = score_all(items, ON)
    assert scores["C-O0"].rolled == pytest.approx(0.5)
    cycles = [p for p in check(items, today=ON) if p.code == "cycle"]
    assert len(cycles) == 1 and "more" in cycles[0].message  # one line, not 10,000 IDs


def test_formatting_past_the_row_limit_is_not_content(tmp_path):
    def rows():
        yield from okr_rows([hobj("HX-O1"), hkr("HX-KR1", "HX-O1")])

    xml = b"".join(sheet_xml(rows())).replace(
        b"</sheetData>", b'<row r="900000"><c r="A900000" s="1"/></row></sheetData>'
    )
    path = tmp_path / "formatted.xlsx"
    write_xlsx(path, [xml])
    assert len(read_workbook(path, max_rows=100).items) == 2


def test_the_row_limit_is_a_setting(tmp_path):
    path = tmp_path / "long.xlsx"
    write_xlsx(path, sheet_xml(okr_rows([hobj(f"HX-O{n}") for n in range(150)])))
    with pytest.raises(InputError, match="below row 100"):
        read_workbook(path, max_rows=100)
    assert len(read_workbook(path, max_rows=200).items) == 150


def test_the_quick_screen_passes_plain_sheets_and_leaves_odd_ones_to_the_exact_scan(tmp_path):
    from tests.data.hostile.make_hostile import prefixed_namespace

    plain, prefixed, far = tmp_path / "plain.xlsx", tmp_path / "prefixed.xlsx", tmp_path / "f.xlsx"
    write_xlsx(plain, sheet_xml(okr_rows([hobj("HX-O1"), hkr("HX-KR1", "HX-O1")])))
    prefixed_namespace(prefixed)
    write_xlsx(far, sheet_xml([(1, [(0, "ID")]), (101, [(0, "x")])]))
    with zipfile.ZipFile(plain) as zf:
        part = sheet_part(zf, 0)
        assert within(zf, part, max_rows=100, max_columns=256) == ()
        exact = sheet_extent(zf, part, stop_after_rows=100)
        assert (exact.rows, exact.columns) == (3, len(HEADER))
    with zipfile.ZipFile(prefixed) as zf:
        part = sheet_part(zf, 0)
        assert within(zf, part, max_rows=100, max_columns=256) is None
        assert sheet_extent(zf, part, stop_after_rows=100).rows == 3
    with zipfile.ZipFile(far) as zf:
        part = sheet_part(zf, 0)
        assert within(zf, part, max_rows=100, max_columns=256) is None
        assert within(zf, part, max_rows=101, max_columns=256) == ()


@pytest.mark.parametrize(
    "far", [b'<c\tr="XFD1048576"', b'<c r="xfd1048576"', b'<c\n r="XFD1048576"', b'<c  r="A900000"']
)
def test_a_far_cell_written_oddly_is_refused_as_far(tmp_path, far):
    # Calamine places these cells where r says: the exact scan has to see them.
    tail = far + b' t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    xml = b"".join(sheet_xml(okr_rows([hobj("HX-O1")])))
    path = tmp_path / "odd.xlsx"
    write_xlsx(path, [xml.replace(b"</sheetData>", b'<row r="7">' + tail)])
    with pytest.raises(InputError, match="has content below row 100"):
        read_workbook(path, max_rows=100)


@pytest.mark.parametrize("limit", [0, 1, 9, 10, 99, 100, 101, 20_000, 19_999, 1_048_576])
def test_up_to_matches_exactly_the_numbers_from_one_to_the_limit(limit):
    pattern = re.compile(up_to(limit))
    for n in {0, 1, 2, limit - 1, limit, limit + 1, limit * 10, limit + 100, 99_999_999}:
        if n >= 0:
            assert bool(pattern.fullmatch(str(n))) == (1 <= n <= limit), (limit, n)
    assert not pattern.fullmatch(f"0{max(limit, 1)}")


@pytest.mark.parametrize("limit", [1, 25, 26, 27, 52, 256, 702, 703, 16_384])
def test_columns_up_to_matches_exactly_the_columns_to_the_limit(limit):
    pattern = re.compile(columns_up_to(limit))
    for n in {1, 2, 26, 27, 255, 256, 257, 702, 703, 16_384, limit - 1, limit, limit + 1}:
        if n >= 1:
            assert bool(pattern.fullmatch(column_name(n))) == (n <= limit), (limit, n)
    assert not pattern.fullmatch("a")


@pytest.mark.parametrize("limit", [0, 9, 10, 99, 100, 20_000, 19_999, 1_048_576])
def test_above_matches_exactly_the_greater_numbers(limit):
    pattern = re.compile(above(limit))
    for n in {0, 1, limit - 1, limit, limit + 1, limit * 10, limit + 100, 99_999_999}:
        if n >= 0:
            assert bool(pattern.fullmatch(str(n))) == (n > limit), (limit, n)


@pytest.mark.parametrize(
    ("name", "sheet"),
    [
        (
            "Research, Development & Very Long Named Innovation Lab",
            "Research, Development & Very Lo",
        ),
        ("Ops [EU]: a/b\\c*d?'", "Ops EU a b c d"),
        ("'Quoted'", "Quoted"),
        ("x" * 30 + "'abc", "x" * 30),
        ("a\x1bb", "a b"),
    ],
)
def test_sheet_names_are_made_legal(name, sheet):
    assert legal_sheet_name(name) == sheet


def test_printed_text_cannot_drive_the_terminal():
    assert printable("a\x1b[2J\nb\u202ec\x9b") == "a\\x1b[2J\\nb\\u202ec\\x9b"
    assert printable("tab\tkept") == "tab\tkept"


def test_xml_legal_replaces_what_xml_cannot_carry():
    assert xml_legal("a\x1bb\x00c\nd\ttab") == "a\ufffdb\ufffdc\nd\ttab"


def test_an_unreadable_file_among_others_is_a_problem_and_alone_one_line(tmp_path):
    good = tmp_path / "good.xlsx"
    write_xlsx(good, sheet_xml(okr_rows([hobj("HX-O1", department="Company", parent="")])))
    gone = tmp_path / "gone.xlsx"
    runner = CliRunner()
    alone = runner.invoke(cli, ["check", str(gone)])
    assert alone.exit_code == 2 and alone.output.count("\n") == 1
    assert "gone.xlsx: no such file" in alone.output
    both = runner.invoke(
        cli, ["check", str(good), str(gone), "--format", "json"], standalone_mode=False
    )
    assert both.return_value == 1 and '"unreadable"' in both.output


def test_a_postgresql_store_without_its_driver_names_the_extra(tmp_path):
    (tmp_path / "okr.toml").write_text(
        '[store]\nurl = "postgresql://u@127.0.0.1/x"\n\n'
        '[[sources]]\nkind = "folder"\npath = "departments"\n'
    )
    (tmp_path / "departments").mkdir()
    code = (
        "import sys; sys.modules['psycopg'] = None\n"  # as on a plain install without the extra
        "from sync.cli import main; sys.exit(main(['consolidate', '--quiet']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "okr: the store postgresql://u@127.0.0.1/x needs the psycopg driver, which is not "
        "installed: pip install 'okr-sheets[postgres]'"
    ]


def test_in_a_percent_key_result_typed_percentages_are_points():
    rows = [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", unit="%", baseline="70%", target="88%")]
    item = read_table(grid(rows), "s.xlsx", "OKRs").items[1]
    assert (item.baseline, item.target) == (pytest.approx(70), pytest.approx(88))


def test_shares_beside_points_in_a_percent_key_result_warn_unit_mismatch():
    rows = [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", unit="%", baseline=0, target=0.9, current=81)]
    items = list(read_table(grid(rows), "s.xlsx", "OKRs").items)
    (found,) = [p for p in check(items, today=ON) if p.code == "unit-mismatch"]
    assert found.cell == "K3" and "percentage points (90 for 90%)" in found.message


@pytest.mark.parametrize(
    ("typed", "share"),
    [(0.7, 0.7), (70, 0.7), ("70%", 0.7), ("170%", None), (1.7, None), (170, None)],
)
def test_confidence_is_a_share_and_out_of_range_values_warn(typed, share):
    rows = [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", confidence=typed)]
    table = read_table(grid(rows), "s.xlsx", "OKRs")
    assert table.items[1].confidence == (pytest.approx(share) if share else None)
    assert bool([p for p in table.problems if p.code == "confidence"]) == (share is None)


def test_an_ods_file_is_named_as_it_is_and_a_renamed_one_as_renamed(tmp_path):
    ods = ROOT / "tests" / "data" / "hostile" / "third_party" / "ods_formats.ods"
    with pytest.raises(InputError) as plain:
        read_workbook(ods)
    assert "OpenDocument spreadsheet (.ods);" in str(plain.value)
    renamed = tmp_path / "sales.xlsx"
    renamed.write_bytes(ods.read_bytes())
    with pytest.raises(InputError, match=r"\(\.ods\) named \.xlsx; save it as Excel Workbook"):
        read_workbook(renamed)
