"""One consolidation at a time, across processes and machines sharing the store.

On PostgreSQL the lock is a session advisory lock held on a dedicated
connection; on SQLite it is an exclusive ``flock`` on a file beside the
database. Either way the operating system or the server releases it when the
process dies, even by SIGKILL, so a crashed run never blocks the next one.
A second run waits up to *timeout* seconds, then raises ``LockedError``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from sync.errors import LockedError, ServiceError
from sync.secrets import redact
from sync.store.engine import engine_for, sqlite_path

#: How often a waiting run tries the lock again.
POLL_SECONDS = 0.2
DEFAULT_NAME = "okr-consolidate"


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock`` from a lock *name*."""
    digest = hashlib.sha256(f"okr-sheets:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_file(store_url: str, name: str = DEFAULT_NAME) -> Path:
    """The lock file of a SQLite store (beside the database; in the temp folder otherwise)."""
    db = sqlite_path(store_url)
    if db is not None:
        return db.with_name(f"{db.name}.{name}.lock")
    tag = hashlib.sha256(store_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"okr-{name}-{tag}.lock"


def _busy(name: str, timeout: float, holder: str = "") -> LockedError:
    who = f" ({holder})" if holder else ""
    return LockedError(
        f"another {name} run holds the lock{who}; waited {timeout:g} s. Let it finish, "
        "or pass --wait SECONDS to wait longer"
    )


@contextmanager
def run_lock(store_url: str, *, timeout: float = 0.0, name: str = DEFAULT_NAME) -> Iterator[None]:
    """Hold the run lock of the store at *store_url* for the ``with`` block.

    Waits up to *timeout* seconds (0: try once) and raises ``LockedError``
    when another process keeps it.
    """
    if store_url.startswith("postgres"):
        with _pg_lock(store_url, timeout, name):
            yield
    else:
        with _file_lock(lock_file(store_url, name), timeout, name):
            yield


@contextmanager
def _file_lock(path: Path, timeout: float, name: str) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_flock(fd):
            if time.monotonic() >= deadline:
                holder = _read_holder(fd)
                raise _busy(name, timeout, holder)
            time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            _unlock(fd)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 200).decode(errors="replace").strip()
    except OSError:
        return ""


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_flock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_flock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def _pg_lock(store_url: str, timeout: float, name: str) -> Iterator[None]:
    # A dedicated connection outside any pool: the lock lives and dies with it.
    engine = engine_for(store_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    key = lock_key(name)
    try:
        conn = engine.connect()
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ServiceError(
            f"cannot reach the store {redact(store_url)} to take the run lock: "
            f"{exc.__class__.__name__}"
        ) from None
    try:
        deadline = time.monotonic() + timeout
        query = text("SELECT pg_try_advisory_lock(:k)")
        while not conn.execute(query, {"k": key}).scalar():
            if time.monotonic() >= deadline:
                raise _busy(name, timeout, _pg_holder(conn, key))
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    finally:
        conn.close()
        engine.dispose()


def _pg_holder(conn, key: int) -> str:
    """Who holds the advisory lock *key*, for the message ('' when it cannot be told)."""
    query = text(
        "SELECT 'pid ' || a.pid || ' from ' || coalesce(a.client_addr::text, 'local socket')"
        " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
        " AND l.classid = ((:k >> 32) & 4294967295)::oid"
        " AND l.objid = (:k & 4294967295)::oid LIMIT 1"
    )
    try:
        return str(conn.execute(query, {"k": key}).scalar() or "")
    except SQLAlchemyError:  # the holder is a nicety for the message only
        return ""
