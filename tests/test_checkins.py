"""The Check-ins sheet: reading it in both languages, its warnings, staleness from it."""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from okr.checkins import check_log, latest, needs_update, read_checkins
from okr.problems import CODES, WARNING
from okr.settings import Settings
from sync.cli.check import check_workbooks
from sync.xlsx.bounds import sheet_part
from sync.xlsx.reading import read_workbook
from sync.xlsx.template_sheets import strings
from tests.okrdata import kr, obj, table
from tests.orgbuild import write_workbook

TODAY = date(2026, 11, 27)
ROWS = [
    obj("CO-O1", department="Company", period="2026"),
    kr("CO-KR1.1", "CO-O1", department="Company", period="2026", current=40),
    kr("CO-KR1.2", "CO-O1", department="Company", period="2026", direction="milestone",
       current="done"),
    kr("CO-KR1.3", "CO-O1", department="Company", period="2026", metric="bookings",
       as_of=date(2026, 11, 26)),
]  # fmt: skip
GOOD = [
    (date(2026, 10, 1), "CO-KR1.1", 20, 0.5, "kick-off"),
    (date(2026, 11, 20), "CO-KR1.1", 35, "70%", "new hires started"),
    (date(2026, 11, 21), "CO-KR1.2", "done", None, None),
]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_log_is_read_in_both_languages(tmp_path, lang):
    table = read_workbook(write_workbook(tmp_path / "co.xlsx", ROWS, lang, GOOD))
    got = [(c.on, c.id, c.value, c.confidence, c.note) for c in table.checkins]
    assert [c.confidence for c in table.checkins] == pytest.approx([0.5, 0.7, None])
    got = [(c.on, c.id, c.value, c.note) for c in table.checkins]
    assert got == [
        (date(2026, 10, 1), "CO-KR1.1", 20.0, "kick-off"),
        (date(2026, 11, 20), "CO-KR1.1", 35.0, "new hires started"),
        (date(2026, 11, 21), "CO-KR1.2", "done", ""),
    ]
    assert table.checkins[1].cell("value") == "C3"
    assert table.problems == ()


def test_the_template_headers_are_recognised():
    for lang in ("en", "zh-CN"):
        grid = [strings(lang)["checkins_headers"], ["2026-11-02", "X-KR1", 3, None, None]]
        checkins, problems = read_checkins(grid, "x.xlsx", "Check-ins")
        assert problems == ()
        assert [(c.on, c.id) for c in checkins] == [(date(2026, 11, 2), "X-KR1")]


def test_a_workbook_without_a_log_has_no_check_ins(tmp_path):
    table = read_workbook(write_workbook(tmp_path / "co.xlsx", ROWS))
    assert table.checkins == ()


def warnings(tmp_path, log):
    path = write_workbook(tmp_path / "co.xlsx", ROWS, "en", log)
    report = check_workbooks([path], today=TODAY)
    return [(p.code, p.cell, p.message) for p in report.problems if p.code in ("checkin", "stale")]


def test_a_log_with_a_far_cell_is_left_unread_and_the_table_is_read(tmp_path):
    # A reader would build the grid out to XFD1048576 (the process aborts): the log is bounded too.
    good = write_workbook(tmp_path / "co.xlsx", ROWS, "en", GOOD)
    far = tmp_path / "far.xlsx"
    with zipfile.ZipFile(good) as zi, zipfile.ZipFile(far, "w", zipfile.ZIP_DEFLATED) as zo:
        log = sheet_part(zi, CalamineWorkbook.from_path(str(good)).sheet_names.index("Check-ins"))
        for info in zi.infolist():
            data = zi.read(info)
            if info.filename == log:
                cell = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
                data = data.replace(b"</sheetData>", cell)
            zo.writestr(info, data)
    table = read_workbook(far)
    assert [i.id for i in table.items] == [r["id"] for r in ROWS]
    assert table.checkins == ()


@pytest.mark.parametrize(
    ("entry", "cell", "needle"),
    [
        ((date(2026, 11, 20), "CO-KR9.9", 3, None, None), "B5", "no key result"),
        ((date(2026, 11, 20), "CO-O1", 3, None, None), "B5", "an objective"),
        ((date(2026, 12, 20), "CO-KR1.1", 38, None, None), "A5", "in the future"),
        ((date(2026, 11, 20), "CO-KR1.1", "about forty", None, None), "C5", "not a number"),
        (("next week", "CO-KR1.1", 38, None, None), "A5", "'next week'"),
        ((None, "CO-KR1.1", 38, None, "no date"), "A5", "empty"),
        ((date(2026, 11, 20), None, 38, None, None), "B5", "no key result ID"),
    ],
)
def test_each_bad_check_in_is_a_checkin_warning_at_its_cell(tmp_path, entry, cell, needle):
    found = [w for w in warnings(tmp_path, [*GOOD, entry]) if w[0] == "checkin"]
    assert len(found) == 1, found
    assert found[0][1] == cell and needle in found[0][2]


def test_a_good_log_raises_no_checkin_warning(tmp_path):
    assert warnings(tmp_path, GOOD) == []


def test_a_milestone_check_in_may_be_a_word(tmp_path):
    assert warnings(tmp_path, [(date(2026, 11, 25), "CO-KR1.2", "是", None, None)]) == []


def test_no_check_in_for_checkin_days_is_stale_saying_when(tmp_path):
    found = warnings(tmp_path, [(date(2026, 11, 1), "CO-KR1.1", 30, None, None)])
    assert [(c, cell) for c, cell, _ in found] == [("stale", "L3")]
    assert "last updated on 2026-11-01, 26 days ago (limit 14)" in found[0][2]


def test_key_results_last_updated_the_same_day_share_one_message():
    t = table([obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1"), kr("S-KR2", "S-O1")])
    log, _ = read_checkins(
        [
            ["Date", "Key result ID", "Value"],
            [date(2026, 11, 1), "S-KR1", 1],
            [date(2026, 11, 1), "S-KR2", 2],
        ],
        "sales.xlsx",
        "Check-ins",
    )
    one, two = check_log(t.items, log, today=TODAY)
    assert (one.code, one.id, two.code, two.id) == ("stale", "S-KR1", "stale", "S-KR2")
    words = "last updated on 2026-11-01, 26 days ago (limit 14): add a check-in with its current"
    assert one.message == words + " value"
    assert two.message is one.message


def test_checkin_days_sets_the_limit(tmp_path):
    path = write_workbook(tmp_path / "co.xlsx", ROWS, "en", [(date(2026, 11, 1), "CO-KR1.1", 30)])
    report = check_workbooks([path], today=TODAY, settings=Settings(checkin_days=30))
    assert "stale" not in {p.code for p in report.problems}


def test_stale_and_checkin_are_warnings():
    assert check_log([], [], today=TODAY) == []
    assert CODES["checkin"] == CODES["stale"] == WARNING


def test_latest_takes_the_latest_date_then_the_later_row_and_skips_the_future():
    grid = [
        strings("en")["checkins_headers"],
        ["2026-11-10", "K1", 1],
        ["2026-11-12", "K1", 2],
        ["2026-11-12", "K1", 3],
        ["2026-11-01", "K1", 0],
        ["2027-01-01", "K1", 99],
    ]
    checkins, _ = read_checkins(grid, "x.xlsx", "Check-ins")
    assert latest(checkins, TODAY)["K1"].value == 3


def test_never_updated_key_results_are_listed_but_not_warned(tmp_path):
    path = write_workbook(tmp_path / "co.xlsx", ROWS, "en", [])
    table = read_workbook(path)
    due = needs_update(table.items, latest(table.checkins), Settings(), TODAY)
    assert due == {"CO-KR1.1": None, "CO-KR1.2": None}  # the metric-fed one has its own as-of
    assert "stale" not in {p.code for p in check_workbooks([path], today=TODAY).problems}
