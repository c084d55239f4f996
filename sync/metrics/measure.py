"""Measuring metrics over a period: the window, one evaluation, many at once.

``measure_all`` runs many metrics concurrently: a bounded pool overall and at
most ``max_concurrency`` at a time per connection, so one slow or dead
connection never holds up the others.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from time import perf_counter

from okr.periods import Period, parse_period
from sync.config import Workspace
from sync.metrics.connectors import (
    ConnectionFailure,
    Connector,
    ConnectorSet,
    MetricError,
    shorten,
)
from sync.metrics.detail import Detail, capture, wants_detail
from sync.metrics.registry import DEFAULT_CONNECTION_CONCURRENCY, MetricDef
from sync.secrets import scrub, secret_values

DEFAULT_WORKERS = 64


@dataclass(frozen=True)
class Outcome:
    """The result of measuring one metric for one period.

    ``state`` is ``ok``, ``failed`` or ``skipped`` (the window has not begun).
    ``as_of`` is when the value was measured (None unless ok).
    """

    metric: str
    period: str
    state: str
    value: float | None = None
    as_of: datetime | None = None
    source: str = ""
    duration: float = 0.0
    error: str = ""
    start: date | None = None
    end: date | None = None
    fatal: bool = field(default=False, compare=False, repr=False)
    #: the records behind the value (``sync.metrics.detail.Detail``), when the metric has one
    detail: Detail | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when a value was measured."""
        return self.state == "ok"


def window(period: Period, lag_days: int, today: date) -> tuple[date, date] | None:
    """The measurement window: the period, ending no later than ``today - lag_days``.

    None when that leaves nothing (the period has not begun, or the lag
    still covers all of it).
    """
    end = min(period.end, today - timedelta(days=lag_days))
    return (period.start, end) if end >= period.start else None


def default_period(ws: Workspace, today: date) -> Period:
    """The workspace's ``[organisation] period``, else the quarter containing *today*."""
    period = parse_period(ws.period) if ws.period else None
    return period or parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")  # type: ignore[return-value]


def evaluate(
    metric: MetricDef,
    connector: Callable[[], Connector],
    period: Period,
    *,
    today: date,
    now: Callable[[], datetime] = datetime.now,
    secrets: Iterable[str] = (),
) -> Outcome:
    """Measure *metric* over *period* as of *today*; failures come back as values.

    *connector* opens (or reuses) the connection only when the window is not empty.
    Any of *secrets* in the source or the error becomes ``***``.
    """
    hidden = set(secrets) | secret_values(dict(metric.spec))
    win = window(period, metric.lag_days, today)
    if win is None:
        reason = f"the window of {period.label} has not begun (lag_days={metric.lag_days})"
        return Outcome(metric.name, period.label, "skipped", error=reason)
    started = perf_counter()
    fatal = False
    try:
        opened = connector()
        fetched = opened.fetch(metric, *win)
    except MetricError as exc:
        fatal = isinstance(exc, ConnectionFailure)
        error = shorten(str(exc), 300)
    except Exception as exc:  # noqa: BLE001 - a connector bug must not stop the run
        error = f"unexpected {type(exc).__name__}: {shorten(str(exc), 200)}"
    else:
        when = now().replace(microsecond=0)
        source = scrub(fetched.source, hidden)
        detail = None
        if wants_detail(metric):
            # Same window and as-of as the value, so the rows are the number's.
            detail = capture(
                metric, opened, period.label, *win, fetched.value, as_of=when, source=source
            )
            if detail.error:
                detail = replace(detail, error=scrub(detail.error, hidden))
        return Outcome(
            metric.name,
            period.label,
            "ok",
            fetched.value,
            when,
            source,
            perf_counter() - started,
            "",
            *win,
            detail=detail,
        )
    return Outcome(
        metric.name,
        period.label,
        "failed",
        duration=perf_counter() - started,
        error=scrub(error, hidden),
        start=win[0],
        end=win[1],
        fatal=fatal,
    )


def measure_all(
    jobs: Sequence[tuple[MetricDef, Period]],
    connectors: ConnectorSet,
    limits: Mapping[str, int],
    *,
    today: date,
    workers: int = DEFAULT_WORKERS,
    now: Callable[[], datetime] = datetime.now,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Measure every (metric, period) job; outcomes in job order.

    *on_outcome* is called with each outcome as it comes (from worker threads).

    At most *workers* run at once, and at most ``limits[connection]`` per
    connection. After a ``ConnectionFailure`` the connection's remaining jobs
    fail at once with the same reason instead of waiting for timeouts.
    """
    if not jobs:
        return []
    queues: dict[str, deque[int]] = defaultdict(deque)
    for i, (metric, _period) in enumerate(jobs):
        queues[metric.connection].append(i)
    results: list[Outcome | None] = [None] * len(jobs)
    dead: dict[str, str] = {}
    lock = threading.Lock()
    finished = threading.Event()
    remaining = [len(jobs)]

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="metric") as pool:

        def next_job(conn: str) -> None:
            with lock:
                if not queues[conn]:
                    return
                i = queues[conn].popleft()
            pool.submit(run, conn, i)

        def run(conn: str, i: int) -> None:
            metric, period = jobs[i]
            try:

                def connector() -> Connector:
                    if conn in dead:
                        raise ConnectionFailure(dead[conn])
                    return connectors.get(conn)

                outcome = evaluate(
                    metric,
                    connector,
                    period,
                    today=today,
                    now=now,
                    secrets=connectors.secrets(conn),
                )
                if outcome.fatal:
                    dead.setdefault(conn, outcome.error)
                results[i] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
            finally:
                with lock:
                    remaining[0] -= 1
                    last = remaining[0] == 0
                if last:
                    finished.set()
                else:
                    next_job(conn)

        for conn, queue in list(queues.items()):
            for _ in range(min(limits.get(conn, DEFAULT_CONNECTION_CONCURRENCY), len(queue))):
                next_job(conn)
        finished.wait()
    return [
        r or Outcome(jobs[i][0].name, jobs[i][1].label, "failed", error="interrupted")
        for i, r in enumerate(results)
    ]
