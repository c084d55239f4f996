"""The xlwings UDFs, called as plain functions: the same answers as okr/."""

from __future__ import annotations

import importlib.util
import inspect
from datetime import date, datetime

import pytest
import xlwings as xw

from addin import udfs
from addin.udfs import OKR_CHECK, OKR_PROGRESS, OKR_STATUS
from okr import functions
from okr.schema import header_texts
from okr.scoring import progress

AS_OF = date(2026, 11, 15)  # exactly half of 2026-Q4 (46 of 92 days) has passed
SERIAL = (AS_OF - date(1899, 12, 30)).days


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "current", "expected"),
    [
        ("increase", 100, 200, 150, 0.5),
        ("increase", None, 10, 2.5, 0.25),  # empty baseline counts as 0
        ("increase", 0, 50, 80, 1.0),  # over-achievement is clamped
        ("increase", 10, 5, 8, 0.0),  # target below baseline makes no sense
        ("increase", 0, 10, None, 0.0),  # empty Current
        ("increase", "1,000.0", "2,000.0", "1,500.0", 0.5),  # numbers typed as text
        ("up", 0, 10, 4, 0.4),
        ("增加", 0, 10, 4, 0.4),
        ("decrease", 40, 20, 35, 0.25),
        ("decrease", 40, 20, 10, 1.0),
        ("decrease", 20, 40, 10, 0.0),
        ("减少", 40, 20, 30, 0.5),
        ("at least", None, 10, 10, 1.0),
        ("at least", None, 10, 9.99, 0.0),
        (">=", None, 10, 11, 1.0),
        ("at most", None, 5, 5, 1.0),
        ("At_Most", None, 5, 6, 0.0),
        ("至多", None, 5, 4, 1.0),
        ("milestone", None, None, "done", 1.0),
        ("milestone", None, None, "Done", 1.0),
        ("milestone", None, None, "是", 1.0),
        ("milestone", None, None, 1.0, 1.0),
        ("milestone", None, None, True, 1.0),
        ("milestone", None, None, "no", 0.0),
        ("milestone", None, None, False, 0.0),
        ("milestone", None, None, None, 0.0),
        ("里程碑", None, None, "已完成", 1.0),
        ("sideways", 0, 10, 5, 0.0),  # unknown direction scores 0, like the sheet
        (None, 0, 10, 5, 0.0),
    ],
)
def test_progress_follows_the_direction(direction, baseline, target, current, expected) -> None:
    assert OKR_PROGRESS(direction, baseline, target, current) == pytest.approx(expected)


def test_progress_is_okr_scoring_progress() -> None:
    assert OKR_PROGRESS("decrease", 7.0, 3.0, 5.5) == progress("decrease", 7.0, 3.0, 5.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.45, "on track"),  # exactly 0.9 x 0.5
        (0.4499, "at risk"),
        (0.30, "at risk"),  # exactly 0.6 x 0.5
        (0.2999, "off track"),
        (0.0, "off track"),
        (1.0, "on track"),
    ],
)
def test_status_boundaries_half_way_through_the_quarter(value: float, expected: str) -> None:
    assert OKR_STATUS(value, "2026-Q4", AS_OF) == expected


@pytest.mark.parametrize(
    "as_of", [AS_OF, datetime(2026, 11, 15, 17, 30), float(SERIAL), SERIAL, "2026-11-15"]
)
def test_status_accepts_dates_datetimes_serials_and_iso_text(as_of: object) -> None:
    assert OKR_STATUS(0.3, "2026-Q4", as_of) == "at risk"


def test_status_before_the_period_is_not_started() -> None:
    assert OKR_STATUS(0.0, "2027-Q1", AS_OF) == "not started"
    assert OKR_STATUS(0.0, "2026-Q4", date(2026, 9, 30)) == "not started"
    assert OKR_STATUS(0.0, "2026-Q4", date(2026, 10, 1)) == "off track"


def test_status_after_the_period_expects_everything() -> None:
    assert OKR_STATUS(0.9, "2025-Q4", AS_OF) == "on track"
    assert OKR_STATUS(0.8999, "2025-Q4", AS_OF) == "at risk"


def test_status_accepts_a_year_typed_as_a_number() -> None:
    assert OKR_STATUS(1.0, 2026.0, AS_OF) == "on track"


@pytest.mark.parametrize(("value", "period"), [(None, "2026-Q4"), ("", "2026-Q4"), (0.5, "soon")])
def test_status_is_empty_when_progress_or_period_is_unknown(value: object, period: str) -> None:
    assert OKR_STATUS(value, period, AS_OF) == ""


def test_status_rejects_an_unreadable_date() -> None:
    with pytest.raises(ValueError, match="not a date"):
        OKR_STATUS(0.5, "2026-Q4", "next week")


def _row(item_id: str, kind: str, parent: str | None, period: str, *numbers) -> list[object]:
    """One table row; *numbers* are Direction, Baseline, Target, Current."""
    direction, baseline, target, current = numbers or (None, None, None, None)
    head = [item_id, kind, parent, f"Title of {item_id}", "ana", "Company", period, direction]
    return [*head, "EUR", baseline, target, current, *[None] * 7]


def _table() -> list[list[object]]:
    return [
        header_texts("en"),
        _row("CO-O1", "Objective", None, "2026"),
        _row("CO-KR1.1", "Key Result", "CO-O1", "2026-Q4", "increase", 10, 20, 15),
        _row("CO-KR1.1", "Key Result", "CO-O1", "2026-Q4", "increase", 10, 20, 12),
        _row("CO-KR1.3", "Key Result", "CO-O1", "2026-Q9", "decrease", 10, 20, 15),
    ]


def test_check_puts_each_problem_next_to_its_row() -> None:
    out = OKR_CHECK(_table())
    assert len(out) == 5 and all(len(row) == 1 for row in out)
    assert out[0] == ["Problems"]
    assert out[1] == [""]
    assert "CO-KR1.1" in out[2][0] and "CO-KR1.1" in out[3][0]  # duplicate ID, both rows
    assert "Period" in out[4][0] and "2026-Q9" in out[4][0]
    assert "decrease" in out[4][0] or "target" in out[4][0].lower()  # target above baseline
    assert "; " in out[4][0]


def test_check_knows_parents_from_the_level_above() -> None:
    table = _table()[:3]
    table[1][2] = "BOARD-O1 · Be profitable"
    table[1][5] = table[2][5] = "Sales"
    assert "BOARD-O1" in OKR_CHECK(table)[1][0]
    assert OKR_CHECK(table, ["BOARD-O1 · Be profitable", None])[1] == [""]


def test_check_reports_a_range_without_header() -> None:
    out = OKR_CHECK([["hello", 1], ["world", 2]])
    assert out[0][0].startswith("Problems: ") and "ID" in out[0][0]
    assert out[1] == [""]


def test_check_leaves_rows_above_the_header_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(functions, "check", lambda items, settings=None, **kw: [])
    out = OKR_CHECK([["My OKRs", None], *_table()[:2]])
    assert out == [[""], ["Problems"], [""]]


def test_every_decorated_argument_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows xlwings refuses an @arg naming no parameter; catch that here on any OS."""
    found: dict[str, list[str]] = {}

    def arg(name: str, *args: object, **options: object):
        def inner(f):
            assert name in inspect.signature(f).parameters, (f.__name__, name)
            found.setdefault(f.__name__, []).append(name)
            return f

        return inner

    monkeypatch.setattr(xw, "arg", arg)
    spec = importlib.util.spec_from_file_location("udfs_probe", udfs.__file__)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert set(found) == {"OKR_PROGRESS", "OKR_STATUS", "OKR_CHECK", "OKR_METRIC"}
    assert found["OKR_CHECK"] == ["parents", "table_range"]


def test_check_accepts_a_list_of_parents_with_shares() -> None:
    table = _table()[:3]
    table[1][5] = table[2][5] = "Sales"
    parents = ["BOARD-O1 · Be profitable", "BOARD-O2 · Grow"]
    table[1][2] = "BOARD-O1 60%; BOARD-O2 40%"
    assert OKR_CHECK(table, parents)[1] == [""]
    table[1][2] = "BOARD-O1 60%; BOARD-O2 30%"
    assert "sum to 90%" in OKR_CHECK(table, parents)[1][0]


def test_broadcast_with_prepared_arguments_answers_as_cell_by_cell():
    from okr.functions import CellError, broadcast, progress_cell

    directions = [["increase"], ["milestone"], ["decrease"], ["at most"], [None]]
    currents = [[5], ["done"], ["1,200"], ["45%"], [True]]
    fast = functions.okr_progress(directions, "0", [[10, 2000]], currents)
    slow = broadcast(
        progress_cell,
        {"direction": directions, "baseline": "0", "target": [[10, 2000]], "current": currents},
    )
    assert fast == slow and len(fast) == 5 and len(fast[0]) == 2

    def strict(value):
        if value == "bad":
            raise ValueError("no good")
        return value

    out = broadcast(lambda a, b: f"{a}{b}", {"a": [["x"], ["bad"]], "b": "y"}, {"a": strict})
    assert out[0] == ["xy"] and out[1][0] == CellError("bad-argument", "no good")
