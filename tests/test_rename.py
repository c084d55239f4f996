"""A renamed department workbook: one ``renamed`` warning, its history carried, on both stores."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from sync.consolidate.run import consolidate
from sync.run_records import FRESH, STALE
from sync.service.queries import run_workbook
from sync.sources.base import content_hash
from sync.store import history as run_history
from sync.store.engine import open_store
from sync.store.renames import carry_over
from sync.store.schema import run_nodes, run_problems, run_sources, runs, source_versions
from tests.okrdata import kr, obj
from tests.orgbuild import clean_rows, make_org, workspace, write_config, write_workbook
from tests.test_consolidate import invoke, table_of

D1, D2, D3 = date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15)
SALES_IDS = {"SALES-O1", "SALES-KR1.1", "SALES-KR1.2", "SALES-O2", "SALES-KR2.1", "SALES-O3",
             "SALES-KR3.1"}  # fmt: skip


@pytest.fixture
def org(tmp_path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    ws = workspace(tmp_path, store_url)
    first = consolidate(ws, as_of=D1)
    assert (first.errors, first.warnings) == (0, 1)  # SALES-O3, a pilot, serves nothing
    return ws


def folder(ws):
    return ws.root / "departments"


def codes(result):
    return sorted(p.code for p in result.problems)


def stored(ws, query):
    engine = open_store(ws.store_url)
    try:
        with engine.connect() as conn:
            return conn.execute(query).all()
    finally:
        engine.dispose()


def test_a_renamed_workbook_is_one_warning_and_its_history_carries_over(org):
    (folder(org) / "sales.xlsx").rename(folder(org) / "sales-2026.xlsx")
    result = consolidate(org, as_of=D2)
    assert codes(result) == ["orphan", "renamed"]  # no duplicate-id, no unreadable
    (renamed,) = [p for p in result.problems if p.code == "renamed"]
    assert renamed.severity == "warning" and renamed.workbook == "sales-2026.xlsx"
    assert renamed.message.startswith("sales.xlsx was renamed to sales-2026.xlsx: ")
    assert result.exit_code == 0 and result.rows == 16
    states = {s.name: s.state for s in result.workbooks}
    assert states == {
        n: FRESH for n in ("company.xlsx", "emea.xlsx", "ops.xlsx", "sales-2026.xlsx")
    }
    out = result.output
    trend = {r["ID"]: r for r in table_of(out, "Trend")}
    assert (trend["SALES-O1"]["2026-11-01"], trend["SALES-O1"]["2026-11-08"]) == (0.54, 0.54)
    history = {r["ID"]: r for r in table_of(out, "History")}
    assert history["SALES-KR2.1"]["Progress by run"] == "80% → 80%"
    assert not {r["ID"] for r in table_of(out, "Changes")} & SALES_IDS
    # The store files the old name's past under the new one: one version (same bytes), and
    # the first run's workbook and rows.
    assert [r.name for r in stored(org, select(source_versions.c.name))].count("sales.xlsx") == 0
    (version,) = stored(
        org,
        select(source_versions.c.first_seen, source_versions.c.last_seen).where(
            source_versions.c.name == "sales-2026.xlsx"
        ),
    )
    assert tuple(version) == (D1, D2)
    engine = open_store(org.store_url)
    try:
        first, _ = run_history.list_runs(engine)
        assert "sales-2026.xlsx" in {s.name for s in run_history.run_sources_of(engine, first.id)}
        rows = run_history.nodes_by_id(engine, first.id)
        assert {rows[i].workbook for i in SALES_IDS} == {"sales-2026.xlsx"}
        # The page of a row of the first run still finds the version that run used.
        assert run_workbook(engine, first.id, "sales-2026.xlsx") is not None
    finally:
        engine.dispose()
    again = consolidate(org, as_of=D3)
    assert codes(again) == ["orphan"]  # said once


def test_a_renamed_workbook_that_also_grew_is_still_a_rename(org):
    rows = clean_rows()["sales.xlsx"] + [
        obj("SALES-O4", "CO-O2", title="Referrals", department="Sales"),
        kr("SALES-KR4.1", "SALES-O4", department="Sales"),
    ]
    (folder(org) / "sales.xlsx").unlink()
    write_workbook(folder(org) / "Sales 2026.xlsx", rows)
    result = consolidate(org, as_of=D2)
    assert codes(result) == ["orphan", "renamed"] and result.rows == 18
    added = [r["ID"] for r in table_of(result.output, "Changes") if r["Change"] == "added"]
    assert sorted(added) == ["SALES-KR4.1", "SALES-O4"]
    kept = stored(
        org,
        select(source_versions.c.name, source_versions.c.first_seen).order_by(
            source_versions.c.first_seen
        ),
    )
    assert [(n, d) for n, d in kept if n.startswith("Sales")] == [
        ("Sales 2026.xlsx", D1),  # the old version, under the new name
        ("Sales 2026.xlsx", D2),
    ]


def test_a_new_workbook_with_only_some_of_the_ids_is_no_rename(org):
    rows = [r for r in clean_rows()["sales.xlsx"] if r["id"] not in ("SALES-O3", "SALES-KR3.1")]
    (folder(org) / "sales.xlsx").unlink()
    write_workbook(folder(org) / "sales-2026.xlsx", rows)
    result = consolidate(org, as_of=D2)
    assert "renamed" not in codes(result)
    assert {s.name: s.state for s in result.workbooks}["sales.xlsx"] == STALE
    assert codes(result).count("duplicate-id") == 10  # five IDs, reported on both rows
    assert "sales.xlsx" in {r.name for r in stored(org, select(source_versions.c.name))}


def test_two_new_workbooks_each_holding_part_are_no_rename(org):
    rows = clean_rows()["sales.xlsx"]
    (folder(org) / "sales.xlsx").unlink()
    write_workbook(folder(org) / "sales-new.xlsx", rows[:3])
    write_workbook(folder(org) / "sales-top.xlsx", rows[3:])
    result = consolidate(org, as_of=D2)
    assert "renamed" not in codes(result)
    assert {s.name: s.state for s in result.workbooks}["sales.xlsx"] == STALE
    assert codes(result).count("duplicate-id") == 14


def test_a_copy_under_a_new_name_beside_the_old_is_no_rename(org):
    old = folder(org) / "sales.xlsx"
    (folder(org) / "sales-2026.xlsx").write_bytes(old.read_bytes())
    result = consolidate(org, as_of=D2)
    assert "renamed" not in codes(result)
    assert {s.state for s in result.workbooks} == {FRESH} and len(result.workbooks) == 5
    assert codes(result).count("duplicate-id") == 14


def test_a_dry_run_says_so_and_records_nothing(org, tmp_path):
    (folder(org) / "sales.xlsx").rename(folder(org) / "sales-2026.xlsx")
    before = stored(org, select(run_sources.c.name, source_versions.c.name).join(
        source_versions, source_versions.c.digest == run_sources.c.used))  # fmt: skip
    trial = consolidate(org, as_of=D2, dry_run=True, output=tmp_path / "trial.xlsx")
    assert codes(trial) == ["orphan", "renamed"]
    assert stored(org, select(run_sources.c.name, source_versions.c.name).join(
        source_versions, source_versions.c.digest == run_sources.c.used)) == before  # fmt: skip
    assert ("sales.xlsx", "sales.xlsx") in before
    real = consolidate(org, as_of=D2)
    assert codes(real) == ["orphan", "renamed"]


def test_a_workbook_that_breaks_after_its_rename_falls_back_to_its_version(org):
    (folder(org) / "sales.xlsx").rename(folder(org) / "sales-2026.xlsx")
    consolidate(org, as_of=D2)
    (folder(org) / "sales-2026.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = consolidate(org, as_of=D3)
    state = {s.name: s for s in result.workbooks}["sales-2026.xlsx"]
    assert (state.state, state.since) == (STALE, D2) and result.rows == 16
    assert "renamed" not in codes(result)


def test_carry_over_merges_a_version_kept_under_both_names_and_keeps_runs_that_read_both(
    store_url,
):
    engine = open_store(store_url)
    data = b"same bytes"
    digest = content_hash(data)
    versions = [
        {"name": "old.xlsx", "digest": digest, "data": data, "size": 10,
         "first_seen": D1, "last_seen": D2},
        {"name": "new.xlsx", "digest": digest, "data": data, "size": 10,
         "first_seen": D2, "last_seen": D3},
        {"name": "old.xlsx", "digest": "b" * 64, "data": b"older", "size": 5,
         "first_seen": D1, "last_seen": D1},
    ]  # fmt: skip
    try:
        with engine.begin() as conn:
            conn.execute(source_versions.insert(), versions)
            for run_id, on in ((1, D1), (2, D2)):
                conn.execute(runs.insert(), {"id": run_id, "as_of": on, "started_at": on,
                                             "finished_at": on})  # fmt: skip
            names = [(1, "old.xlsx"), (2, "old.xlsx"), (2, "new.xlsx")]
            conn.execute(run_sources.insert(), [
                {"run_id": r, "name": n, "state": FRESH} for r, n in names])  # fmt: skip
            conn.execute(run_nodes.insert(), [
                {"run_id": r, "seq": i, "id": f"X-{i}", "workbook": n}
                for i, (r, n) in enumerate(names)])  # fmt: skip
            conn.execute(run_problems.insert(), [
                {"run_id": r, "seq": i, "code": "orphan", "severity": "warning", "workbook": n}
                for i, (r, n) in enumerate(names)])  # fmt: skip
        with engine.begin() as conn:
            carry_over(conn, "old.xlsx", "new.xlsx")
        kept = stored_rows(engine, select(source_versions.c.name, source_versions.c.digest,
                           source_versions.c.first_seen, source_versions.c.last_seen))  # fmt: skip
        assert sorted(kept) == sorted(
            [("new.xlsx", digest, D1, D3), ("new.xlsx", "b" * 64, D1, D1)]
        )
        expect = [(1, "new.xlsx"), (2, "new.xlsx"), (2, "old.xlsx")]
        assert sorted(stored_rows(engine, select(run_sources.c.run_id, run_sources.c.name))) == (
            expect
        )
        for table in (run_nodes, run_problems):
            found = stored_rows(engine, select(table.c.run_id, table.c.workbook))
            assert sorted(found) == expect
    finally:
        engine.dispose()


def stored_rows(engine, query):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def test_cli_a_rename_exits_0_and_the_json_names_it_once(org):
    (folder(org) / "sales.xlsx").rename(folder(org) / "sales-2026.xlsx")
    config = write_config(org.root, org.store_url)
    result = invoke("consolidate", "--config", str(config), "--as-of", "2026-11-08",
                    "--format", "json")  # fmt: skip
    assert result.return_value == 0
    data = json.loads(result.stdout)
    assert [w["name"] for w in data["workbooks"] if w["name"].startswith("sales")] == [
        "sales-2026.xlsx"
    ]
    (renamed,) = [p for p in data["problems"] if p["code"] == "renamed"]
    assert renamed["severity"] == "warning"
    assert renamed["message"].startswith("sales.xlsx was renamed to sales-2026.xlsx")
