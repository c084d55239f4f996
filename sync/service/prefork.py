"""``okr serve --workers N``: N waitress processes serving one port.

The parent builds the app before forking, so every worker signs dashboard
cookies with the same key (a random one too), binds the port (``listen``),
forks the workers and then only supervises them; the kernel hands each new
connection to one worker. Only the first worker runs the nightly scheduler.
SIGTERM or Ctrl+C stops every worker; a worker that dies stops the others and
the parent exits 3, so a supervisor such as systemd restarts the whole
service; a worker whose parent is gone (killed outright) stops itself within
a second.

What a process keeps in memory is its own: the rate limit counts per worker,
and each worker trusts a verified token for its own 2 seconds (a revocation
still takes effect within 2 seconds in every one). Runs, uploads and tokens
live in the store, which every worker reads.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

log = logging.getLogger("okr.service")
#: Seconds a stopping worker is given before it is killed.
STOP_SECONDS = 10.0
#: Pending connections the kernel keeps for the workers to accept (waitress's default).
BACKLOG = 1024


class _Stop(Exception):
    """SIGTERM arrived: leave the serving loop."""


def _raise_stop(_signum, _frame) -> None:
    raise _Stop


def listen(host: str, port: int, count: int = 1) -> list[socket.socket]:
    """Sockets listening on *host*:*port* (0: any free port), one per worker where possible.

    On Linux each worker gets a socket of its own on the same port
    (``SO_REUSEPORT``), and the kernel spreads new connections evenly over
    them; one socket shared by all lets whichever worker wakes first take
    most of a burst of connections. Elsewhere: one socket, shared.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
    )[0]
    spread = count > 1 and sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")
    socks: list[socket.socket] = []
    try:
        for _ in range(count if spread else 1):
            sock = socket.socket(family, kind, proto)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if spread:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            address = sock.getsockname()  # port 0: the others take the port the first got
            sock.listen(BACKLOG)
    except OSError:
        for sock in socks:
            sock.close()
        raise
    return socks


def run_workers(
    app,
    socks: list[socket.socket],
    workers: int,
    threads: int,
    start_scheduler: Callable[[object], object],
) -> int:
    """Serve *app* from *workers* forked processes on *socks* until stopped; the exit code.

    0 when stopped by SIGTERM or Ctrl+C, 3 when a worker died on its own.
    *start_scheduler(app)* runs in the first worker only. No other thread
    may run in this process when it is called (``fork`` copies only this one).
    """
    if threading.active_count() != 1:
        raise RuntimeError("okr serve --workers must fork before any thread starts")
    pids = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker; its coverage is the child's
            code = 3
            mine = socks[index % len(socks)]
            for other in socks:
                if other is not mine:
                    other.close()  # connections the kernel hands a socket are its worker's only
            try:
                code = _work(app, mine, threads, start_scheduler if index == 0 else None)
            except (_Stop, KeyboardInterrupt):  # stopped while still starting
                code = 0
            except Exception:
                log.exception("okr serve worker %s stopped", os.getpid())
            finally:
                os._exit(code)
        pids.append(pid)
    for sock in socks:
        sock.close()
    return _supervise(pids)


def _supervise(pids: list[int]) -> int:
    """Wait for a stop signal or a dead worker, then stop the rest; the exit code."""
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    code = 3
    try:
        pid, status = os.wait()
        pids.remove(pid)
        log.error("worker %s ended (%s); stopping the others", pid, _how(status))
    except (_Stop, KeyboardInterrupt):
        code = 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(pids)
    return code


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def _stop(pids: list[int]) -> None:
    """SIGTERM each worker, wait for them, then SIGKILL any that would not stop."""
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    left = set(pids)
    while left and time.monotonic() < deadline:
        for pid in list(left):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                left.discard(pid)
        time.sleep(0.05)
    for pid in left:
        with suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _work(app, sock: socket.socket, threads: int, start_scheduler) -> int:  # pragma: no cover
    """One worker: serve on *sock* until SIGTERM, Ctrl+C or the parent's end."""
    import waitress

    signal.signal(signal.SIGTERM, _raise_stop)
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    scheduler = start_scheduler(app) if start_scheduler is not None else None
    server = waitress.create_server(app, sockets=[sock], threads=threads, ident="okr")
    log.info("worker %s serving", os.getpid())
    return serve_until_stopped(server, scheduler)


def serve_until_stopped(server: Any, scheduler: Any) -> int:
    """Run the waitress *server* until Ctrl+C (in a worker, SIGTERM too); 0.

    Then the APScheduler *scheduler* (or None) stops and the server closes.
    """
    try:
        server.run()
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        server.close()
    return 0


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in a worker
    # A parent killed outright (SIGKILL) cannot stop its workers: they notice and stop.
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)
