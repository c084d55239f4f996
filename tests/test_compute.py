"""The pure step of a run, on hand-made values: no store, no files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from okr.settings import Settings
from sync.consolidate.compute import Fallback, Inputs, Past, compute, needs_fallback
from sync.run_records import FAILED, FRESH, STALE, NodeRecord, RunInfo, SourceState
from sync.sources.base import SourceRead
from tests.okrdata import kr, obj, table

D0, D1 = date(2026, 11, 1), date(2026, 11, 8)
STARTED = datetime(2026, 11, 8, 2, 30)


def read(name: str, rows: list[dict], data: bytes = b"bytes") -> SourceRead:
    return SourceRead("departments", name, data, table(rows, name))


def broken(name: str) -> SourceRead:
    return SourceRead("departments", name, b"junk", None, f"{name}: not a workbook")


def inputs(*reads: SourceRead, past: Past | None = None, **kw) -> Inputs:
    return Inputs("Org", Settings(), D1, STARTED, reads, past=past or Past(), **kw)


COMPANY = [obj("CO-O1", department="Company"), kr("CO-KR1", "CO-O1", department="Company")]
SALES = [obj("SALES-O1", "CO-O1"), kr("SALES-KR1", "SALES-O1", current=80)]


def run_info(run_id: int, day: date) -> RunInfo:
    return RunInfo(run_id, day, STARTED, STARTED, "out.xlsx", 2, 0, 0, 0, 0)


def test_fresh_workbooks_give_the_tree_scores_nodes_and_versions():
    out = compute(inputs(read("company.xlsx", COMPANY), read("sales.xlsx", SALES)))
    report = out.report
    assert [v.state for v in report.workbooks] == [FRESH, FRESH]
    assert sorted(n.id for n in out.nodes()) == ["CO-KR1", "CO-O1", "SALES-KR1", "SALES-O1"]
    assert report.scores["SALES-KR1"].progress == 0.8
    assert [v[0] for v in out.versions] == ["company.xlsx", "sales.xlsx"]
    assert all(
        v[2]() == b"bytes" for v in out.versions
    )  # new versions: their bytes, read on demand
    assert report.previous is None and report.changes == ()


def test_versions_the_store_keeps_are_recorded_without_their_bytes():
    r = read("sales.xlsx", SALES)
    out = compute(inputs(r, past=Past(stored=frozenset({("sales.xlsx", r.digest)}))))
    assert out.versions == (("sales.xlsx", r.digest, None),)


def test_a_broken_workbook_shows_its_fallback_stale_or_fails_without_one():
    fallback = {"sales.xlsx": Fallback("abc", D0, table(SALES, "sales.xlsx"))}
    past = Past(fallback=fallback)
    out = compute(inputs(read("company.xlsx", COMPANY), broken("sales.xlsx"), past=past))
    sales = out.report.workbooks[1]
    assert (sales.state, sales.since, sales.digest) == (STALE, D0, "abc")
    assert "showing the version last read on 2026-11-01" in out.report.problems[0].message
    alone = compute(inputs(read("company.xlsx", COMPANY), broken("sales.xlsx")))
    assert alone.report.workbooks[1].state == FAILED and alone.sources[1].state == FAILED


def test_a_workbook_of_the_previous_run_not_read_now_is_missing_unless_forgotten():
    known = (SourceState("gone.xlsx", "departments", FRESH, "d", "d", D0),)
    reads = [read("company.xlsx", COMPANY)]
    assert needs_fallback(reads, known, {}, frozenset()) == ["gone.xlsx"]
    assert needs_fallback(reads, known, {}, frozenset({"gone.xlsx"})) == []
    out = compute(inputs(*reads, past=Past(known=known)))
    assert [v.name for v in out.report.workbooks] == ["company.xlsx", "gone.xlsx"]
    assert "missing from source departments" in out.report.workbooks[1].error


def test_changes_and_trend_come_from_the_past_values():
    before = {
        "SALES-O1": NodeRecord("SALES-O1", "objective", "CO-O1", "CO-O1", 1, "Sales",
                               "sales.xlsx", "Objective SALES-O1", 0.2, 0.2, "at risk"),
    }  # fmt: skip
    past = Past(
        previous=run_info(1, D0),
        before=before,
        trend_runs=(run_info(1, D0),),
        trend_points={1: {"SALES-O1": (0.2, "old action")}},
    )
    out = compute(inputs(read("company.xlsx", COMPANY), read("sales.xlsx", SALES), past=past))
    report = out.report
    assert report.previous == D0
    assert any(c.id == "SALES-O1" for c in report.changes)
    assert report.trend.dates == (D0, D1)
    assert report.trend.values["SALES-O1"] == [0.2, 0.8]


def test_metric_rows_take_their_source_from_the_past():
    rows = [obj("S-O1"), kr("S-KR1", "S-O1", metric="bookings", as_of="2026-11-07")]
    past = Past(metric_sources={("bookings", "2026-Q4"): "erp: SELECT"})
    out = compute(inputs(read("s.xlsx", rows), past=past, metric_units={"bookings": ""}))
    (row,) = out.report.metrics
    assert (row.state, row.source) == (FRESH, "erp: SELECT")


def known_run(*names: str, source: str = "departments") -> Past:
    """The past of a run that read *names*, each with its SALES rows as last good version."""
    known = tuple(SourceState(n, source, FRESH, "d", "d", D0) for n in names)
    fallback = {n: Fallback("d", D0, table(SALES, n)) for n in names}
    return Past(previous=run_info(1, D0), known=known, fallback=fallback)


def test_a_gone_workbook_whose_ids_are_all_in_a_new_one_is_renamed_once():
    lower = [obj("sales-o1", "CO-O1"), kr("Sales-Kr1", "sales-o1"), obj("SALES-O2", "CO-O1")]
    out = compute(inputs(read("company.xlsx", COMPANY), read("new.xlsx", lower),
                         past=known_run("old.xlsx")))  # fmt: skip
    assert [v.name for v in out.report.workbooks] == ["company.xlsx", "new.xlsx"]
    assert [p.code for p in out.report.problems if p.code in ("renamed", "duplicate-id")] == [
        "renamed"
    ]
    assert out.renames == (("old.xlsx", "new.xlsx"),)


def test_no_rename_without_one_to_one_pairing_or_while_its_source_is_unreachable():
    company = read("company.xlsx", COMPANY)
    cases = {
        "two new hold all": inputs(company, read("a.xlsx", SALES), read("b.xlsx", SALES),
                                   past=known_run("old.xlsx")),
        "one new holds two": inputs(company, read("a.xlsx", SALES),
                                    past=known_run("old.xlsx", "older.xlsx")),
        "source unreachable": inputs(company, read("a.xlsx", SALES), past=known_run(
            "old.xlsx", source="gone"), source_errors={"gone": "folder gone: does not exist"}),
        "new one forgotten": inputs(company, read("a.xlsx", SALES), past=known_run("old.xlsx"),
                                    forget=frozenset({"a.xlsx"})),
        "old one forgotten": inputs(company, read("a.xlsx", SALES), past=known_run("old.xlsx"),
                                    forget=frozenset({"old.xlsx"})),
        "old one never good": inputs(company, read("a.xlsx", SALES),
                                     past=replace(known_run("old.xlsx"), fallback={})),
        "old one had no IDs": inputs(company, read("a.xlsx", SALES), past=replace(
            known_run("old.xlsx"), fallback={"old.xlsx": Fallback("d", D0, table([], "o"))})),
    }  # fmt: skip
    for case, given in cases.items():
        out = compute(given)
        assert out.renames == (), case
        assert "renamed" not in {p.code for p in out.report.problems}, case
