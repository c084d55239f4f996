"""The nightly consolidation inside ``okr serve``: ``[schedule] nightly = "02:30"``.

APScheduler 3.11 runs ``nightly_run`` once a day in the service process. It
starts the run exactly as ``POST /runs`` does, in a child process sharing
the CLI's lock, so it and a cron-started ``okr consolidate`` never overlap:
whichever comes second finds the lock held and is recorded as failed with
the reason. ``okr serve --workers N`` schedules it in its first worker only;
with several gunicorn workers, schedule with cron or systemd instead (each
worker would schedule its own run).
"""

from __future__ import annotations

import logging

from sync.errors import LockedError, OkrError
from sync.service.jobs import start_run
from sync.service.settings import parse_nightly

log = logging.getLogger("okr.service")


def nightly_run(app) -> int | None:
    """Start the nightly run of *app*'s workspace; its job id, or None when it could not start."""
    service = app.extensions["okr"]
    try:
        job = start_run(service, "schedule", "schedule")
    except LockedError as exc:
        log.warning("nightly run skipped: %s", exc)
        return None
    except OkrError as exc:
        log.error("nightly run could not start: %s", exc)
        return None
    log.info("nightly run %s started", job.id)
    return job.id


def start_scheduler(app, *, start: bool = True):
    """A running APScheduler with the nightly job when ``[schedule] nightly`` is set, else None."""
    when = app.extensions["okr"].settings.nightly
    if not when:
        return None
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = parse_nightly(when)
    scheduler = BackgroundScheduler(daemon=True)
    scheduler.add_job(
        nightly_run,
        CronTrigger(hour=hour, minute=minute),
        args=[app],
        id="okr-nightly",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    if start:
        scheduler.start()
        log.info("nightly run scheduled at %02d:%02d", hour, minute)
    return scheduler
