"""Rows handed to the driver at once (``sync.store.bulk``), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, select

from sync.store.bulk import SLICE, insert_rows

META = MetaData()
# Names a database reserves, text with quotes and markers, NULLs: what the driver must get as is.
THINGS = Table(
    "bulk_things",
    META,
    Column("id", Integer, primary_key=True),
    Column("order", String(20)),
    Column("value", Float),
    Column("note", Text),
)
ROWS = [
    (1, "first", 1.5, "it's 100% ?"),
    (2, None, None, "%(x)s and :p1"),
    (3, "third", -0.25, ""),
]


def _read(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(THINGS).order_by(THINGS.c.id))]


@pytest.fixture
def engine(store_url):
    engine = create_engine(store_url)
    META.create_all(engine)
    yield engine
    META.drop_all(engine)
    engine.dispose()


def test_rows_arrive_as_given(engine) -> None:
    with engine.begin() as conn:
        insert_rows(conn, THINGS, ROWS)
        insert_rows(conn, THINGS, [])  # nothing to insert: no statement
    assert _read(engine) == ROWS


def test_rows_roll_back_with_the_transaction(engine) -> None:
    with pytest.raises(RuntimeError), engine.begin() as conn:
        insert_rows(conn, THINGS, ROWS)
        raise RuntimeError("the run failed")
    assert _read(engine) == []


def test_a_driver_taking_named_parameters_only(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'named.db'}", paramstyle="named")
    META.create_all(engine)
    try:
        with engine.begin() as conn:
            insert_rows(conn, THINGS, iter(ROWS))
        assert _read(engine) == ROWS
    finally:
        engine.dispose()


def test_rows_go_in_slices_as_they_are_made(engine) -> None:
    made = 2 * SLICE + 1
    rows = ((n, f"row {n}", n / 2, "") for n in range(made))  # a generator: never held whole
    with engine.begin() as conn:
        assert insert_rows(conn, THINGS, rows) == made
    back = _read(engine)
    assert len(back) == made and back[-1] == (made - 1, f"row {made - 1}", (made - 1) / 2, "")
