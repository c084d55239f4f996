"""The store: SQLAlchemy over SQLite by default, PostgreSQL when the URL says so.

This module owns the engine and the shared ``MetaData``; each area defines its
own tables next to its code (``sync.metric_store``, ``sync.run_store``) on
this metadata, so one ``create_all`` makes them all.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from sync.errors import ServiceError
from sync.secrets import redact
from sync.store.schema import metadata


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or None for other databases and memory."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url in (prefix, "sqlite:///:memory:"):
        return None
    return Path(url[len(prefix) :].split("?", 1)[0])


def make_engine(url: str) -> Engine:
    """An engine for *url*; SQLite gets WAL and a busy timeout so runs can share it."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(with_driver(url), pool_pre_ping=True)


def with_driver(url: str) -> str:
    """*url* naming psycopg 3 for plain ``postgresql://`` (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def open_store(url: str) -> Engine:
    """Open the store at *url* and create any missing tables."""
    try:
        engine = make_engine(url)
        metadata.create_all(engine)
    except SQLAlchemyError as exc:
        raise ServiceError(
            f"cannot open the store {redact(url)}: {exc.__class__.__name__}"
        ) from exc
    return engine
