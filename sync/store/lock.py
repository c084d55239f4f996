"""One consolidation at a time, across processes and machines sharing the store.

On PostgreSQL the lock is a session advisory lock held on a dedicated
connection; on SQLite it is an exclusive ``flock`` on a file beside the
database. Either way the operating system or the server releases it when the
process dies, even by SIGKILL, so a crashed run never blocks the next one.
A second run waits up to *timeout* seconds, then raises ``LockedError``.

The ``with`` block gets a ``Held`` lock whose ``check()`` the run calls
before it records or renames anything: a PostgreSQL session that died (the
server restarted, an admin ended it) has released the lock, and another run
may hold it now, so the run stops with ``LockLost`` instead of going on.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from sync.errors import LockedError, LockLost, ServiceError, os_reason
from sync.secrets import redact
from sync.store.engine import engine_for, sqlite_path, store_failure

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


class Held:
    """A lock the run holds; ``check()`` raises ``LockLost`` when it is no longer held."""

    def __init__(self, check: Callable[[], None] = lambda: None) -> None:
        """*check* raises ``LockLost`` when the lock is gone."""
        self._check = check

    def check(self) -> None:
        """Raise ``LockLost`` when the lock was lost since it was taken."""
        self._check()


@contextmanager
def run_lock(store_url: str, *, timeout: float = 0.0, name: str = DEFAULT_NAME) -> Iterator[Held]:
    """Hold the run lock of the store at *store_url* for the ``with`` block.

    Waits up to *timeout* seconds (0: try once) and raises ``LockedError``
    when another process keeps it, ``ServiceError`` when the lock cannot be
    taken at all (lock file not creatable, server unreachable).
    """
    if store_url.startswith("postgres"):
        with _pg_lock(store_url, timeout, name) as held:
            yield held
    else:
        with _file_lock(lock_file(store_url, name), timeout, name) as held:
            yield held


@contextmanager
def _file_lock(path: Path, timeout: float, name: str) -> Iterator[Held]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ServiceError(
            f"cannot create the lock file {path}: {os_reason(exc)}; make its folder writable"
        ) from None
    try:
        deadline = time.monotonic() + timeout
        while not _try_flock(fd):
            if time.monotonic() >= deadline:
                holder = _read_holder(fd)
                raise _busy(name, timeout, holder)
            time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            stamp = f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}"
            os.write(fd, stamp.encode())
        except OSError:  # a full disk: the holder note is a nicety, the flock is the lock
            pass
        try:
            yield Held()
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
def _pg_lock(store_url: str, timeout: float, name: str) -> Iterator[Held]:
    # A dedicated connection outside any pool: the lock lives and dies with it.
    engine = engine_for(store_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    key = lock_key(name)
    try:
        conn = engine.connect()
    except SQLAlchemyError as exc:
        engine.dispose()
        raise store_failure(store_url, exc, "take the run lock on") from None
    lost = False

    def check() -> None:
        nonlocal lost
        try:
            held = conn.execute(_HOLDS, {"k": key}).scalar()
        except SQLAlchemyError:
            held = False
        if not held:
            lost = True
            raise LockLost(
                f"the run lock on the store {redact(store_url)} was lost (its database session "
                "ended); nothing was recorded or replaced. Check the server and run again"
            )

    try:
        try:
            deadline = time.monotonic() + timeout
            query = text("SELECT pg_try_advisory_lock(:k)")
            while not conn.execute(query, {"k": key}).scalar():
                if time.monotonic() >= deadline:
                    raise _busy(name, timeout, _pg_holder(conn, key))
                time.sleep(POLL_SECONDS)
        except SQLAlchemyError as exc:
            raise store_failure(store_url, exc, "take the run lock on") from None
        try:
            yield Held(check)
        finally:
            # a session that is gone took the lock with it
            if not lost:
                with suppress(SQLAlchemyError):
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    finally:
        with suppress(SQLAlchemyError):
            conn.close()
        engine.dispose()


#: True while this session holds advisory lock ``:k`` (a dead session raises instead).
_HOLDS = text(
    "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND objsubid = 1"
    " AND classid = ((:k >> 32) & 4294967295)::oid AND objid = (:k & 4294967295)::oid"
)


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
