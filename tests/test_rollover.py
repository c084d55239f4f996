"""okr rollover: what carries into the next period, what stays, IDs and baselines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from examples.build import build
from okr.model import id_key
from okr.periods import parse_period
from okr.rollover import carried, carry_ids, under, unhook
from okr.rollup import score_all
from sync.cli import main
from sync.cli.check import check_workbooks
from sync.xlsx.reading import read_workbook
from tests.okrdata import kr, obj, table

Q1 = parse_period("2027-Q1")
CO = dict(department="Company", period="2026")


def org():
    return table([
        obj("CO-O1", **CO),
        kr("CO-KR1.1", "CO-O1", current=100, **CO),  # finished, but S-O1 serves it
        kr("CO-KR1.2", "CO-O1", current=40, notes="weekly review", **CO),
        obj("CO-O2", **CO),
        kr("CO-KR2.1", "CO-O2", current=100, **CO),  # finished objective: stays
        obj("S-O1", "CO-KR1.1 50%; CO-O1 50%", weight=2),
        kr("S-KR1.1", "S-O1", current=62, metric="bookings", owner="bo@example.org"),
        kr("S-KR1.2", "S-O1", direction="milestone", current="no"),
    ]).items  # fmt: skip


def test_unfinished_objectives_carry_with_unfinished_key_results_and_what_they_serve():
    items = org()
    scores = score_all(items, date(2026, 12, 31))
    keep = carry_ids(items, scores)
    assert keep == {"CO-O1", "CO-KR1.1", "CO-KR1.2", "S-O1", "S-KR1.1", "S-KR1.2"}
    assert carry_ids(items, scores, everything=True) == {i.id for i in items}
    rows = {i.id: i for i in carried(items, scores, Q1, keep)}
    kr11 = rows["S-KR1.1"]
    assert (kr11.period_label, kr11.baseline, kr11.current, kr11.as_of) == (
        "2027-Q1",
        62,
        None,
        None,
    )
    assert (kr11.metric, kr11.owner, kr11.target) == ("bookings", "bo@example.org", 100)
    assert kr11.notes == "carried from 2026-Q4 at 62%"
    assert rows["CO-KR1.2"].notes == "carried from 2026 at 40%; weekly review"
    assert rows["S-KR1.2"].baseline == 0  # a milestone's word is no baseline: kept as it was
    assert rows["S-O1"].shares == (("CO-KR1.1", 0.5), ("CO-O1", 0.5)) and rows["S-O1"].weight == 2


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("example")
    build(folder)
    return folder


def test_rollover_of_the_example_organisation(example, tmp_path, capsys):
    out = tmp_path / "next"
    assert main(["rollover", str(example), "--to", "2027-Q1", "-o", str(out)]) == 0
    said = capsys.readouterr().out.splitlines()[-2:]
    assert said == [
        "no Parent in 2027-Q1 for 1 objective(s) (OPS-O3 was CO-O5): choose one from the dropdown",
        "left behind with errors: 1 row(s) (target FIN-KR3.2) and what serves them; fix them in "
        "the old workbooks and roll over again with --force, or add --carry-errors",
    ]
    before = {i.id: i for p in example.glob("*.xlsx") for i in read_workbook(p).items}
    after = {i.id: i for p in out.glob("*.xlsx") for i in read_workbook(p).items}
    assert set(after) <= set(before) and len(after) > len(before) / 2
    for item_id, new in after.items():
        old = before[item_id]
        assert new.period_label == "2027-Q1" and new.current is None, item_id
        if item_id != "OPS-O3":
            assert (new.parent, new.owner, new.weight, new.metric) == (
                old.parent, old.owner, old.weight, old.metric)  # fmt: skip
        if new.is_key_result and isinstance(old.current, float):
            assert new.baseline == old.current, item_id
        assert new.notes.startswith("carried from "), item_id
    assert "CO-KR1.3" not in after  # gross margin reached its target: stays behind
    assert "FIN-KR3.2" not in after and "FIN-KR3.1" in after  # the planted target error
    ops = after["OPS-O3"]  # the planted unknown parent: carried, to choose a parent for
    assert ops.parent is None and "Parent CO-O5 is not in 2027-Q1: choose one" in ops.notes
    assert {"OPS-KR3.1", "OPS-KR3.2"} <= set(after)
    hr = read_workbook(out / "hr.xlsx")
    assert hr.items and hr.items[0].title == before[hr.items[0].id].title  # Chinese kept
    assert hr.sheet == "目标与关键结果"  # a Chinese workbook rolls over into Chinese tabs
    report = check_workbooks(sorted(out.glob("*.xlsx")), today=date(2027, 1, 15))
    assert [p for p in report.problems if p.severity == "error"] == []
    assert main(["check", str(out)]) == 0


def test_carry_errors_carries_the_rows_as_they_are(example, tmp_path, capsys):
    out = tmp_path / "next"
    args = ["rollover", str(example), "--to", "2027-Q1", "-o", str(out), "--carry-errors"]
    assert main(args) == 0
    said = capsys.readouterr().out.splitlines()[-1]
    assert said == (
        "carried over unfixed: 2 error(s) (target FIN-KR3.2, unknown-parent OPS-O3); "
        f"fix them in the new workbooks (okr check {out})"
    )
    after = {i.id: i for p in out.glob("*.xlsx") for i in read_workbook(p).items}
    assert after["OPS-O3"].parent == "CO-O5" and "FIN-KR3.2" in after
    report = check_workbooks(sorted(out.glob("*.xlsx")), today=date(2027, 1, 15))
    errors = {(p.code, p.id) for p in report.problems if p.severity == "error"}
    assert errors == {("target", "FIN-KR3.2"), ("unknown-parent", "OPS-O3")}


def test_a_department_alone_keeps_parents_it_cannot_judge(example, tmp_path, capsys):
    out = tmp_path / "next"
    assert main(["rollover", str(example / "sales.xlsx"), "--to", "2027-Q1", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "no Parent" not in said and "left behind" not in said
    old = {i.id: i.parent for i in read_workbook(example / "sales.xlsx").items}
    assert {i.id: i.parent for i in read_workbook(out / "sales.xlsx").items} == old
    # With the new company workbook as parents, the same parents are known and kept.
    company = tmp_path / "company"
    assert (
        main(["rollover", str(example / "company.xlsx"), "--to", "2027-Q1", "-o", str(company)])
        == 0
    )
    args = ["rollover", str(example / "sales.xlsx"), "--to", "2027-Q1", "-o", str(out), "--force",
            "--parents", str(company / "company.xlsx")]  # fmt: skip
    assert main(args) == 0
    new_company = {i.id for i in read_workbook(company / "company.xlsx").items}
    rows = read_workbook(out / "sales.xlsx").items
    assert rows and all(
        i.parent == (old[i.id] if old[i.id] in new_company or i.is_key_result else None)
        for i in rows
    )


def test_a_row_left_behind_takes_what_serves_it_along():
    items = table([
        obj("CO-O1", **CO),
        kr("CO-KR1.1", "CO-O1", current=40, **CO),
        obj("S-O1", "CO-KR1.1"),
        kr("S-KR1.1", "S-O1", current=62),
        obj("T-O1", "S-O1 50%; CO-O1 50%"),
        obj("X-O1", "CO-O9"),
    ]).items  # fmt: skip
    assert under(items, {"CO-KR1.1"}) == {"CO-KR1.1", "S-O1", "S-KR1.1", "T-O1"}
    assert under(items, {"s-o1"}) == {"s-o1", "S-KR1.1", "T-O1"}  # IDs ignore case
    known = {id_key(i.id) for i in items if i.id}
    rows, unhooked = unhook(items, known - {"CO-O1"}, Q1)
    assert unhooked == [("T-O1", "S-O1 50%; CO-O1 50%"), ("X-O1", "CO-O9")]
    t = next(i for i in rows if i.id == "T-O1")
    assert (t.parent, t.shares) == (None, ())
    assert t.notes == "Parent S-O1 50%; CO-O1 50% is not in 2027-Q1: choose one"
    assert next(i for i in rows if i.id == "CO-KR1.1").parent == "CO-O1"  # key results keep theirs


def test_nothing_is_overwritten_unless_forced(example, tmp_path, capsys):
    out = tmp_path / "next"
    args = ["rollover", str(example / "sales.xlsx"), "--to", "2027-Q1", "-o", str(out)]
    assert main(args) == 0
    stamp = (out / "sales.xlsx").stat().st_mtime_ns
    assert main(args) == 2
    assert "exists: nothing is overwritten" in capsys.readouterr().err
    assert (out / "sales.xlsx").stat().st_mtime_ns == stamp
    assert main([*args, "--force"]) == 0


def test_a_bad_period_is_bad_usage(example, tmp_path, capsys):
    assert main(["rollover", str(example), "--to", "next quarter", "-o", str(tmp_path)]) == 2
    assert "--to next quarter" in capsys.readouterr().err


def test_rollover_reads_text_numbers_by_the_organisation_decimal(tmp_path):
    from tests.orgbuild import write_workbook

    rows = [
        obj("S-O1", "", title="Grow", department="Sales", period="2026-Q4"),
        kr("S-KR1", "S-O1", target="12,5", current=5, department="Sales", period="2026-Q4"),
    ]
    write_workbook(tmp_path / "in" / "sales.xlsx", rows)
    (tmp_path / "okr.toml").write_text('[organisation]\ndecimal = ","\n', encoding="utf-8")
    args = ["rollover", str(tmp_path / "in"), "--to", "2027-Q1", "-o", str(tmp_path / "out")]
    assert main([*args, "--config", str(tmp_path / "okr.toml")]) == 0
    carried_kr = next(
        i for i in read_workbook(tmp_path / "out" / "sales.xlsx").items if i.id == "S-KR1"
    )
    assert carried_kr.target == 12.5  # not lost as an unreadable number
