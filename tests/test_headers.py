"""Header mapping: both languages, tolerant variants, and missing columns."""

from __future__ import annotations

import pytest

from okr.reading import TableError, read_table
from okr.schema import COLUMNS, column_for_header, header_texts, parse_direction, parse_type
from tests.okrdata import grid, kr, obj


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_template_header_maps_to_its_column(lang):
    assert [column_for_header(h) for h in header_texts(lang)] == [c.key for c in COLUMNS]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("  id ", "id"),
        ("OWNER EMAIL", "owner"),
        ("Owner_Email", "owner"),
        ("As-of", "as_of"),
        ("asof", "as_of"),
        ("Key", "id"),
        ("ＩＤ", "id"),  # full-width, as some Chinese input methods type it
        ("上级目标", "parent"),
        ("Corrective action", "notes"),
        ("Something else", None),
    ],
)
def test_tolerant_header_variants(text, key):
    assert column_for_header(text) == key


@pytest.mark.parametrize(
    ("text", "kind"),
    [("KR", "key result"), ("Key result", "key result"), ("关键结果", "key result"),
     ("objective", "objective"), ("目标", "objective"), ("goal", None)],
)  # fmt: skip
def test_type_words(text, kind):
    assert parse_type(text) == kind


@pytest.mark.parametrize(
    ("text", "direction"),
    [("Increase", "increase"), ("减少", "decrease"), ("At least", "at least"),
     ("atleast", "at least"), ("<=", "at most"), ("里程碑", "milestone"), ("maybe", None)],
)  # fmt: skip
def test_direction_words(text, direction):
    assert parse_direction(text) == direction


def test_zh_cn_sheet_reads_like_the_english_one():
    rows = [
        obj("HR-O1", "CO-O1", type="目标", department="人力资源"),
        kr(
            "HR-KR1", "HR-O1", type="关键结果", direction="减少", baseline=40, target=30, current=35
        ),
    ]
    en = read_table(grid(rows), "hr.xlsx", "OKRs")
    zh = read_table(grid(rows, "zh-CN"), "hr.xlsx", "OKRs")
    assert en.items == zh.items
    assert zh.items[1].direction == "decrease" and zh.items[1].is_key_result


def test_header_row_may_sit_below_a_title_and_columns_may_move():
    header = ["Notes", "Key", "KR", "Kind"]  # decoys first
    rows = [
        ["Sales OKRs 2026-Q4"],
        [],
        ["Title", "ID", "Type", "Parent", "Period", "Direction", "Target", "Current", "Owner"],
        ["Grow", "S-O1", "Objective", "CO-O1", "2026-Q4", "", "", "", "a@x.org"],
        ["Bookings", "S-KR1", "KR", "S-O1", "2026-Q4", "increase", 10, 5, "a@x.org"],
    ]
    t = read_table([header[:0], *rows], "s.xlsx", "OKRs")
    assert t.header_row == 4
    assert [i.id for i in t.items] == ["S-O1", "S-KR1"]
    assert t.items[1].where.cell("current") == "H6"


def test_missing_required_headers_name_them():
    with pytest.raises(TableError, match="Parent, Period, Direction, Target, Current"):
        read_table([["ID", "Type", "Title"]], "s.xlsx", "OKRs")


def test_no_header_row_at_all():
    with pytest.raises(TableError, match="no header row"):
        read_table([["a", "b"], [1, 2]], "s.xlsx", "OKRs")


def test_number_cells_accept_typed_text_and_report_garbage():
    t = read_table(
        grid(
            [
                obj("S-O1", "CO-O1"),
                kr("S-KR1", "S-O1", baseline="1,200.0", target="45%", current="abc"),
            ]
        ),
        "s.xlsx",
        "OKRs",
    )
    item = t.items[1]
    assert item.baseline == 1200 and item.target == pytest.approx(0.45)
    assert [(p.code, p.cell) for p in t.problems] == [("target", "L3")]
    assert "'abc'" in t.problems[0].message
