"""The run store on SQLite and PostgreSQL: runs, workbook versions, history for Trend, Changes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from okr.problems import make_problem
from sync.run_records import FRESH, STALE, NodeRecord, RunRecord, SourceState
from sync.sources.base import content_hash
from sync.store import history as run_history
from sync.store import schema
from sync.store.engine import open_store
from sync.store.history import last_good, list_runs, nodes_by_id, objective_history, previous_run
from sync.store.runs import record_run


@pytest.fixture
def engine(store_url):
    engine = open_store(store_url)
    yield engine
    engine.dispose()


def node(id, progress, *, kind="objective", notes="", actions=""):
    return NodeRecord(id, kind, "CO-O1", "CO-O1", 1, "Sales", "sales.xlsx", f"title {id}",
                      progress, progress, "on track", notes, actions)  # fmt: skip


def run(on, *, nodes=(), versions=(), sources=(), problems=()):
    return RunRecord(
        as_of=on,
        started_at=datetime(2026, 11, 27, 2, 30),
        finished_at=datetime(2026, 11, 27, 2, 31),
        organisation="Test Org",
        output="/srv/okr/company.xlsx",
        sources=sources,
        nodes=nodes,
        problems=problems,
        versions=versions,
    )


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_run_is_recorded_with_its_sources_nodes_and_problems(engine):
    data = b"version one"
    digest = content_hash(data)
    problem = make_problem("orphan", "serves nothing", id="S-O3", workbook="sales.xlsx")
    run_id = record_run(
        engine,
        run(
            date(2026, 11, 1),
            nodes=[node("S-O1", 0.5, notes="call"), node("S-KR1", 0.25, kind="key result")],
            versions=[("sales.xlsx", digest, data)],
            sources=[
                SourceState("sales.xlsx", "departments", FRESH, digest, digest, date(2026, 11, 1))
            ],
            problems=[problem],
        ),
    )
    info = previous_run(engine, date(2026, 11, 2))
    assert info.id == run_id and info.as_of == date(2026, 11, 1)
    assert (info.workbooks, info.stale, info.failed, info.errors, info.warnings) == (1, 0, 0, 0, 1)
    snaps = nodes_by_id(engine, run_id)
    assert list(snaps) == ["S-O1", "S-KR1"]
    assert snaps["S-O1"].progress == 0.5 and snaps["S-O1"].notes == "call"
    states = run_history.run_sources_of(engine, run_id)
    assert states[0].state == FRESH and states[0].digest == digest
    assert count(engine, schema.run_problems) == 1
    assert previous_run(engine, date(2026, 11, 1)) is None


def test_rerunning_a_date_replaces_that_run(engine):
    record_run(engine, run(date(2026, 11, 1), nodes=[node("A", 0.1)]))
    second = record_run(engine, run(date(2026, 11, 1), nodes=[node("A", 0.2), node("B", 0.3)]))
    assert [r.id for r in list_runs(engine)] == [second]
    assert count(engine, schema.run_nodes) == 2
    assert nodes_by_id(engine, second)["A"].progress == 0.2


def test_every_good_version_is_kept_once_and_the_latest_is_the_fallback(engine):
    v1, v2 = b"first upload", b"second upload"
    record_run(engine, run(date(2026, 11, 1), versions=[("sales.xlsx", content_hash(v1), v1)]))
    record_run(engine, run(date(2026, 11, 2), versions=[("sales.xlsx", content_hash(v1), v1)]))
    record_run(engine, run(date(2026, 11, 3), versions=[("sales.xlsx", content_hash(v2), v2)]))
    assert versions_kept(engine) == 2
    good = last_good(engine, ["sales.xlsx", "unknown.xlsx"])
    assert list(good) == ["sales.xlsx"]
    assert good["sales.xlsx"].data == v2
    assert good["sales.xlsx"].first_seen == date(2026, 11, 3)
    # The department goes back to the first version: it becomes the latest again.
    record_run(engine, run(date(2026, 11, 4), versions=[("sales.xlsx", content_hash(v1), v1)]))
    good = last_good(engine, ["sales.xlsx"])["sales.xlsx"]
    assert good.data == v1 and good.first_seen == date(2026, 11, 1)
    assert good.last_seen == date(2026, 11, 4)
    assert versions_kept(engine) == 2


def test_large_workbooks_are_kept_byte_for_byte(engine):
    data = bytes(range(256)) * 40_000  # 10 MB, every byte value
    record_run(engine, run(date(2026, 11, 1), versions=[("big.xlsx", content_hash(data), data)]))
    assert last_good(engine, ["big.xlsx"])["big.xlsx"].data == data


def test_history_returns_objectives_per_run_and_the_previous_run_by_date(engine):
    ids = []
    for day, value, action in (
        (1, 0.1, ""),
        (8, 0.2, "SALES-KR1: call"),
        (15, 0.4, "SALES-KR1: call"),
    ):
        ids.append(
            record_run(
                engine,
                run(
                    date(2026, 11, day),
                    nodes=[node("O", value, actions=action), node("K", 1, kind="key result")],
                ),
            )
        )
    runs = list_runs(engine, before=date(2026, 11, 15), limit=5)
    assert [r.as_of.day for r in runs] == [1, 8]
    history = objective_history(engine, ids)
    assert [history[i]["O"][0] for i in ids] == [0.1, 0.2, 0.4]
    assert all("K" not in history[i] for i in ids)
    assert history[ids[1]]["O"][1] == "SALES-KR1: call"
    # Backfilling an earlier date: "previous" is by date, not by insertion order.
    record_run(engine, run(date(2026, 11, 4), nodes=[node("O", 0.15)]))
    assert previous_run(engine, date(2026, 11, 8)).as_of == date(2026, 11, 4)


def test_a_failed_transaction_leaves_nothing(engine):
    def boom():
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        record_run(
            engine,
            run(date(2026, 11, 1), nodes=[node("A", 0.1)], versions=[("a.xlsx", "d" * 64, b"x")]),
            before_commit=boom,
        )
    for table in (schema.runs, schema.run_nodes, schema.source_versions):
        assert count(engine, table) == 0


def test_stale_sources_record_which_version_was_shown(engine):
    state = SourceState(
        "sales.xlsx", "departments", STALE, "", "a" * 64, date(2026, 11, 1), "damaged"
    )
    run_id = record_run(engine, run(date(2026, 11, 2), sources=[state]))
    assert run_history.run_sources_of(engine, run_id) == [state]
    assert previous_run(engine, date(2026, 11, 3)).stale == 1


def versions_kept(engine) -> int:
    """How many workbook versions the store keeps."""
    from sqlalchemy import func, select

    from sync.store.schema import source_versions

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(source_versions)).scalar_one())
