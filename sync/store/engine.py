"""The store: SQLAlchemy over SQLite by default, PostgreSQL when the URL says so.

This module owns the engine; every table is defined in ``sync.store.schema``
on one ``MetaData``, so one ``create_all`` makes them all. Failures to reach
or create the store become ``StoreError`` (exit 3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from sync.errors import ConfigError, StoreError, os_reason
from sync.secrets import redact, scrub
from sync.store.schema import metadata

#: the pip extra that brings each database's driver
_EXTRAS = {"postgresql": ("psycopg", "okr-sheets[postgres]")}


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
    return engine_for(url, pool_pre_ping=True)


def engine_for(url: str, **kwargs: Any) -> Engine:
    """``create_engine`` for a store URL (psycopg 3 for ``postgresql://``), or a one-line reason.

    A missing driver or an unknown database is a setting to fix (``ConfigError``),
    never an import traceback.
    """
    try:
        return create_engine(with_driver(url), **kwargs)
    except ImportError:
        # The driver is an extra: a plain install has SQLite only.
        scheme = url.split(":", 1)[0].split("+", 1)[0]
        if scheme in _EXTRAS:
            driver, extra = _EXTRAS[scheme]
            raise ConfigError(
                f"the store {redact(url)} needs the {driver} driver, which is not installed: "
                f"pip install '{extra}'"
            ) from None
        raise ConfigError(_UNSUPPORTED.format(redact(url))) from None
    except NoSuchModuleError:
        raise ConfigError(_UNSUPPORTED.format(redact(url))) from None
    except ArgumentError:
        raise ConfigError(
            f"the store URL {redact(url)} is not a database URL: "
            "use sqlite:///PATH or postgresql://HOST/DB in [store] url"
        ) from None


_UNSUPPORTED = (
    "the store {} names a database okr does not support: "
    "use sqlite:///PATH or postgresql://HOST/DB in [store] url"
)


def with_driver(url: str) -> str:
    """*url* naming psycopg 3 for plain ``postgresql://`` (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def open_store(url: str) -> Engine:
    """Open the store at *url* and create any missing tables."""
    engine = None
    try:
        engine = make_engine(url)
        metadata.create_all(engine)
    except (SQLAlchemyError, OSError) as exc:
        if engine is not None:
            engine.dispose()
        raise store_failure(url, exc, "open") from None
    return engine


def store_failure(url: str, exc: BaseException, doing: str = "use") -> StoreError:
    """A ``StoreError`` for a SQLAlchemy or OS error while *doing* something with the store."""
    reason = exc.__class__.__name__
    orig = getattr(exc, "orig", None)
    if isinstance(exc, OSError):
        reason = os_reason(exc)
    elif orig is not None:
        first = str(orig).strip().splitlines()
        reason = first[0][:200] if first else orig.__class__.__name__
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 - not a URL: nothing to hide
        password = None
    reason = scrub(reason, [str(password)] if password else [])
    return StoreError(
        f"cannot {doing} the store {redact(url)}: {reason}; "
        "check that it is reachable and writable, then run again"
    )
