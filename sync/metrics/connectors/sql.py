"""The ``sql`` connector: one read-only, time-limited query per metric.

Read-only is enforced by the database, not by inspecting the SQL: SQLite is
opened with ``mode=ro`` (plus ``PRAGMA query_only``); PostgreSQL sessions
default to read-only and every query runs in ``SET TRANSACTION READ ONLY``.
Other databases run each query in a transaction that is always rolled back;
give them a read-only user. The period arrives only as bound ``:start`` and
``:end`` dates; the timeout is a progress handler on SQLite and
``statement_timeout`` on PostgreSQL.

Example::

    [connections.erp]
    kind = "sql"
    url = "postgresql://reporter:${ERP_PASSWORD}@erp-db/erp"

    [metrics.new_bookings]
    connection = "erp"
    query = "SELECT SUM(amount) FROM deals WHERE won AND closed_on BETWEEN :start AND :end"
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Date, Engine, Integer, bindparam, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from sync.metrics.connectors import (
    ConnectionFailure,
    Fetched,
    KindSpec,
    MetricError,
    as_number,
    check_query,
    shorten,
)
from sync.metrics.detail import SCAN_LIMIT, DetailRows
from sync.secrets import redact

if TYPE_CHECKING:
    from sync.metrics.registry import MetricDef

SPEC = KindSpec(("url",), ("pool_size",), ("query",), ("detail", "detail_total", "detail_rows"))
DEFAULT_TIMEOUT = 30.0
#: the bound-parameter syntax of SQLAlchemy's ``text()``
_PARAM = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
_BOUND = ("start", "end")
_SELECT = re.compile(r"^\s*(\(|select\b|with\b|values\b|--|/\*)", re.IGNORECASE)
_TIMEOUT_MARKERS = ("interrupted", "statement timeout", "canceling statement")


def check_metric(metric: MetricDef) -> None:
    """Raise ``ValueError`` unless the query is text that binds only ``:start``/``:end``."""
    check_query(metric.spec, _PARAM, "a SQL SELECT as text")
    if "detail" in metric.spec:
        check_query(metric.spec, _PARAM, "a SQL SELECT as text", key="detail")


def readonly_url(url: str, root: Path) -> URL:
    """The SQLAlchemy URL to open: SQLite files become ``file:...?mode=ro&uri=true``.

    A relative SQLite path is taken relative to *root* (the workspace folder).
    """
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        if u.get_backend_name() == "postgresql" and u.get_driver_name() in ("", "psycopg2"):
            try:
                import psycopg  # noqa: F401

                u = u.set(drivername="postgresql+psycopg")
            except ImportError:  # pragma: no cover - psycopg2 only
                pass
        return u
    db = u.database or ""
    if db.startswith("file:"):
        db = db[len("file:") :]
    if db in ("", ":memory:"):
        raise ValueError("a sql connection to SQLite needs a database file, not memory")
    path = Path(db).expanduser()
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise ConnectionFailure(f"database file {path} does not exist")
    return URL.create(
        "sqlite", database=f"file:{quote(str(path))}", query={"mode": "ro", "uri": "true"}
    )


class SqlConnector:
    """Runs metric queries on one engine, read-only, with a per-query timeout."""

    def __init__(
        self, name: str, engine: Engine, *, timeout: float = DEFAULT_TIMEOUT, display: str = ""
    ) -> None:
        self.name = name
        self.engine = engine
        self.timeout = timeout
        self.display = display or engine.url.render_as_string(hide_password=True)
        self._sqlite = engine.dialect.name == "sqlite"
        self._postgres = engine.dialect.name == "postgresql"

    def fetch(self, metric: MetricDef, start: date, end: date) -> Fetched:
        """Run the metric's query with ``:start``/``:end`` and return its single number."""
        timeout = float(metric.timeout or self.timeout)
        keys, rows = self._select(str(metric.spec["query"]), start, end, 2, timeout)
        columns = len(keys)
        if columns != 1:
            raise MetricError(f"the query returns {columns} columns; a metric returns one number")
        if len(rows) != 1:
            shape = "no rows" if not rows else "more than one row"
            raise MetricError(f"the query returns {shape}; a metric returns exactly one row")
        return Fetched(as_number(rows[0][0], "the query's value"), f"{self.name}: {self.display}")

    def fetch_detail(self, metric: MetricDef, start: date, end: date) -> DetailRows:
        """Run the metric's ``detail`` query for the same window: the records behind it."""
        timeout = float(metric.timeout or self.timeout)
        keys, rows = self._select(str(metric.spec["detail"]), start, end, SCAN_LIMIT + 1, timeout)
        return DetailRows(tuple(keys), rows[:SCAN_LIMIT], len(rows) > SCAN_LIMIT)

    def _select(
        self, query: str, start: date, end: date, limit: int, timeout: float
    ) -> tuple[list[str], list[Any]]:
        """Column names and at most *limit* rows of *query*, read-only, within *timeout*."""
        query = query.strip().rstrip(";")
        names = set(_PARAM.findall(query)) & set(_BOUND)
        # One SELECT only: as a subquery anything else is a syntax error, and the
        # always-bound LIMIT makes drivers use the protocol that refuses "a; b".
        wrapped = f"SELECT * FROM (\n{query}\n) AS okr_metric LIMIT :okr_limit"
        binds = [bindparam(n, type_=Date) for n in sorted(names)]
        clause = text(wrapped).bindparams(*binds, bindparam("okr_limit", type_=Integer))
        params: dict[str, Any] = {k: v for k, v in (("start", start), ("end", end)) if k in names}
        params["okr_limit"] = limit
        try:
            conn = self.engine.connect()
        except SQLAlchemyError as exc:
            raise ConnectionFailure(f"cannot connect to {self.display}: {_reason(exc)}") from None
        try:
            with conn, conn.begin() as tx:
                self._start(conn, timeout)
                try:
                    result = conn.execute(clause, params)
                    if not result.returns_rows:
                        raise MetricError("the query returns no rows: a metric must be a SELECT")
                    keys = list(result.keys())
                    rows = [tuple(r) for r in result.fetchmany(limit)]
                finally:
                    self._stop(conn)
                tx.rollback()
        except SQLAlchemyError as exc:
            raise self._classify(exc, timeout, query) from None
        return keys, rows

    def _start(self, conn: Connection, timeout: float) -> None:
        if self._postgres:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(timeout * 1000))}")
        elif self._sqlite:
            deadline = time.monotonic() + timeout
            raw = conn.connection.driver_connection
            raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 2000)  # type: ignore[union-attr]

    def _stop(self, conn: Connection) -> None:
        if self._sqlite:
            conn.connection.driver_connection.set_progress_handler(None, 0)  # type: ignore[union-attr]

    def _classify(self, exc: SQLAlchemyError, timeout: float, query: str) -> MetricError:
        reason = _reason(exc)
        low = reason.lower()
        if any(m in low for m in _TIMEOUT_MARKERS):
            return MetricError(f"the query timed out after {timeout:g} s")
        if "read-only" in low or "readonly" in low:
            return MetricError(
                f"the query tried to write ({shorten(reason, 120)}); metrics are read-only"
            )
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return ConnectionFailure(f"lost the connection to {self.display}: {reason}")
        if "syntax" in low and not _SELECT.match(query):
            return MetricError(f"the query is not one SELECT ({reason}); metrics are read-only")
        return MetricError(f"the query failed: {reason}")

    def close(self) -> None:
        """Dispose of the engine's pool."""
        self.engine.dispose()


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return shorten(str(orig).splitlines()[0] if str(orig) else type(orig).__name__, 200)


def from_settings(name: str, settings: Mapping[str, Any], root: Path) -> SqlConnector:
    """A connector for ``[connections.NAME]`` with ``url`` (secrets already resolved)."""
    raw = str(settings["url"])
    try:
        url = readonly_url(raw, root)
    except ArgumentError:
        raise ValueError("url is not a SQLAlchemy URL such as postgresql://user@host/db") from None
    limit = int(settings.get("pool_size") or settings.get("max_concurrency") or 16)
    kwargs: dict[str, Any] = {"pool_size": limit, "max_overflow": 0}
    if url.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"options": "-c default_transaction_read_only=on"}
    elif url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False}
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise ValueError(f"cannot use url: {shorten(str(exc), 120)}") from None
    if url.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _query_only(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA query_only = ON")

    return SqlConnector(
        name, engine, timeout=float(settings.get("timeout", DEFAULT_TIMEOUT)), display=redact(raw)
    )
