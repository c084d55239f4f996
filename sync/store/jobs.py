"""Consolidations started by the service (``POST /runs`` or the nightly schedule).

Table ``run_jobs``: one row per started run with its state (``running``,
``succeeded``, ``failed``), who started it, the child's pid and exit code,
timings and the run's JSON summary. The store's ``runs`` table keeps what a
finished run found; this one keeps that a run was attempted and how it ended,
so a run killed half-way shows as failed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from sync.store.schema import run_jobs

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"


@dataclass(frozen=True)
class Job:
    """One started run."""

    id: int
    state: str
    trigger: str
    started_by: str
    pid: int | None
    exit_code: int | None
    started_at: datetime
    finished_at: datetime | None
    run_id: int | None
    error: str
    summary: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON the API answers."""
        seconds = (
            round((self.finished_at - self.started_at).total_seconds(), 3)
            if self.finished_at
            else None
        )
        return {
            "id": self.id,
            "state": self.state,
            "trigger": self.trigger,
            "started_by": self.started_by,
            "exit_code": self.exit_code,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "seconds": seconds,
            "run_id": self.run_id,
            "error": self.error,
            "summary": json.loads(self.summary) if self.summary else None,
        }


def _job(row) -> Job:
    return Job(*(getattr(row, c.name) for c in run_jobs.c))


def start_job(engine: Engine, trigger: str, started_by: str) -> int:
    """A new job row in state ``running``; its id."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                run_jobs.insert().returning(run_jobs.c.id),
                {
                    "state": RUNNING,
                    "trigger": trigger,
                    "started_by": started_by,
                    "started_at": datetime.now(),
                },
            ).scalar_one()
        )


def update_job(engine: Engine, job_id: int, **values: Any) -> None:
    """Set columns of job *job_id*."""
    with engine.begin() as conn:
        conn.execute(update(run_jobs).where(run_jobs.c.id == job_id).values(**values))


def finish_job(
    engine: Engine,
    job_id: int,
    state: str,
    *,
    exit_code: int | None,
    error: str = "",
    summary: dict | None = None,
    run_id: int | None = None,
) -> None:
    """Mark job *job_id* finished in *state*."""
    update_job(
        engine,
        job_id,
        state=state,
        exit_code=exit_code,
        error=error,
        summary=json.dumps(summary, ensure_ascii=False) if summary else "",
        run_id=run_id,
        finished_at=datetime.now(),
    )


def get_job(engine: Engine, job_id: int) -> Job | None:
    """Job *job_id*, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(run_jobs).where(run_jobs.c.id == job_id)).first()
    return _job(row) if row else None


def list_jobs(engine: Engine, limit: int = 50) -> list[Job]:
    """The latest *limit* jobs, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(run_jobs).order_by(run_jobs.c.id.desc()).limit(limit)).all()
    return [_job(r) for r in rows]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_orphans(engine: Engine) -> int:
    """Mark failed the running jobs whose process is gone (the service died with them)."""
    with engine.connect() as conn:
        rows = conn.execute(select(run_jobs).where(run_jobs.c.state == RUNNING)).all()
    gone = [r.id for r in rows if r.pid is None or not _alive(r.pid)]
    for job_id in gone:
        finish_job(
            engine,
            job_id,
            FAILED,
            exit_code=None,
            error="the run's process ended without reporting (service restarted?)",
        )
    return len(gone)
