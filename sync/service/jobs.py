"""Starting consolidations from the service: a child process per run, sharing the CLI's lock.

``start_run`` answers once the child holds the run lock (or raises
``LockedError`` when another run has it, so the API answers 409); a thread
then follows the child to its end and records how it ended. A child killed
by a signal leaves its run marked failed.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading

from sync.errors import LockedError, ServiceError
from sync.store import jobs as job_store

log = logging.getLogger("okr.service")
#: Seconds to wait for the child to take the lock before answering that it started.
START_TIMEOUT = 30.0


def _command(ws) -> list[str]:
    command = [sys.executable, "-m", "sync.service.child"]
    if ws.path is not None:
        command += ["--config", str(ws.path)]
    return command


def _parse(line: str) -> tuple[str, object]:
    kind, _, rest = line.strip().partition(" ")
    try:
        return kind, json.loads(rest) if rest else None
    except ValueError:
        return kind, rest


def start_run(service, trigger: str = "api", started_by: str = "") -> job_store.Job:
    """Start a consolidation of *service*'s workspace; the job once the child holds the lock."""
    engine = service.engine
    job_id = job_store.start_job(engine, trigger, started_by)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        child = subprocess.Popen(
            _command(service.ws),
            cwd=service.ws.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
    except OSError as exc:
        job_store.finish_job(
            engine,
            job_id,
            job_store.FAILED,
            exit_code=None,
            error=f"cannot start the run: {exc.strerror or exc}",
        )
        raise ServiceError(f"cannot start the run: {exc.strerror or exc}") from None
    job_store.update_job(engine, job_id, pid=child.pid)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in child.stdout:  # type: ignore[union-attr]
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True, name=f"okr-run-{job_id}-out").start()
    try:
        first = lines.get(timeout=START_TIMEOUT)
    except queue.Empty:
        first = "STARTED"  # still waiting on something slow; follow it anyway
    kind, payload = _parse(first) if first else ("", None)
    if kind == "LOCKED":
        child.wait()
        job_store.finish_job(
            engine, job_id, job_store.FAILED, exit_code=child.returncode, error=str(payload)
        )
        raise LockedError(str(payload))
    follower = threading.Thread(
        target=_follow,
        args=(engine, job_id, child, lines, first),
        daemon=True,
        name=f"okr-run-{job_id}",
    )
    follower.start()
    service.extra.setdefault("followers", {})[job_id] = follower
    return job_store.get_job(engine, job_id)  # type: ignore[return-value]


def _follow(engine, job_id: int, child: subprocess.Popen, lines: queue.Queue, first) -> None:
    """Read the child's lines to its end, wait for it, and record how it ended."""
    result: dict | None = None
    error = ""
    line = first
    while line is not None:
        kind, payload = _parse(line)
        if kind == "RESULT" and isinstance(payload, dict):
            result = payload
        elif kind in ("FAILED", "LOCKED"):
            error = str(payload)
        line = lines.get()
    code = child.wait()
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        error = f"the run's process was killed ({name}); the previous workbook is kept"
    state = job_store.SUCCEEDED if result is not None and code in (0, 1) else job_store.FAILED
    if state == job_store.FAILED and not error:
        error = f"the run ended with exit code {code} without a result"
    try:
        job_store.finish_job(
            engine,
            job_id,
            state,
            exit_code=code,
            error=error,
            summary=result,
            run_id=(result or {}).get("run_id"),
        )
    except Exception:
        log.exception("cannot record the end of run job %s", job_id)
