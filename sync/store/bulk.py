"""Many rows into one table at once, handed to the database driver as they are.

SQLAlchemy's ``execute(table.insert(), [dict, ...])`` builds and processes a
parameter set per row in Python; for the tens of thousands of rows a run
records that costs more than the database's own work. ``insert_rows`` gives
the driver one statement and plain tuples (its ``executemany``), in the
caller's transaction and with SQLAlchemy's error handling. It is for columns
whose values need no conversion on the way in: text, numbers and NULL.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from sqlalchemy import Connection, Table

#: The positional parameter marker of the DB-API paramstyles that have one.
_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
#: Rows handed to the driver at once: a big organisation's rows all at once
#: would be its run's peak of memory.
SLICE = 2000


def insert_rows(conn: Connection, table: Table, rows: Iterable[tuple]) -> int:
    """Insert *rows*, each a tuple with a value for every column of *table* in its order.

    They are taken from *rows* a slice at a time, as they are made. Returns
    how many were inserted.
    """
    names = [column.name for column in table.columns]
    marker = _MARKERS.get(conn.dialect.paramstyle)
    sql = ""
    if marker is not None:
        prep = conn.dialect.identifier_preparer
        sql = (
            f"INSERT INTO {prep.format_table(table)} ({', '.join(map(prep.quote, names))}) "
            f"VALUES ({', '.join([marker] * len(names))})"
        )
    done, rows = 0, iter(rows)
    while part := list(islice(rows, SLICE)):
        if sql:
            conn.exec_driver_sql(sql, part)
        else:  # a driver that takes named parameters only: SQLAlchemy's way
            conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in part])
        done += len(part)
    return done
