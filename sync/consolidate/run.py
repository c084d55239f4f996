"""The nightly consolidation: every department sheet into one aligned company workbook.

``consolidate`` takes the run lock, reads every source, falls back to the last
good version of a workbook that is missing or broken (marking it stale),
checks the whole organisation, rolls progress up the alignment tree, compares
with the previous run, writes the company workbook to a temporary file,
records the run in one transaction, keeps a dated copy of the previous
workbook, and renames the new one into place. Killed at any moment, it leaves
the previous workbook and the store as they were.
"""

from __future__ import annotations

import gc
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from okr.cascade import check
from okr.checkins import check_log, latest, needs_update
from okr.departments import display_name
from okr.model import Item
from okr.problems import ERROR, Problem, sort_key
from okr.rollup import score_all
from okr.tree import CHANGE_THRESHOLD, Snapshot, build_tree, changes, fold
from sync.company.data import data_blocks, detail_problems
from sync.company.history import owners_due
from sync.company.report import Report
from sync.config import CONFIG_NAME, Workspace
from sync.config import Source as SourceConfig
from sync.consolidate import outputs as output_files
from sync.consolidate.inputs import (
    collect_metrics,
    history_of,
    node_records,
    read_sources,
    resolve,
    trend_of,
)
from sync.errors import ConfigError
from sync.run_records import FAILED, FRESH, STALE, Progress, RunRecord, SourceState
from sync.sources import make_source
from sync.sources.base import Source
from sync.store import history as run_history
from sync.store import runs as run_store
from sync.store.details import latest_details
from sync.store.engine import open_store
from sync.store.lock import run_lock

#: Seconds a run waits for another run's lock before giving up (``--wait``).
DEFAULT_WAIT = 60.0
#: Points (runs) in the Trend sheet, the current run included.
TREND_RUNS = 12
#: Set to a checkpoint name to SIGKILL the process there (the kill-safety tests).
KILL_ENV = "OKR_TEST_KILL_AT"
CHECKPOINTS = ("read", "written", "commit", "recorded", "copied")


@dataclass(frozen=True)
class RunResult:
    """What one consolidation run did."""

    run_id: int
    organisation: str
    as_of: date
    output: Path
    copy: Path | None
    workbooks: tuple[SourceState, ...]
    problems: tuple[Problem, ...]
    changes: int
    rows: int
    seconds: float
    previous: date | None = None
    notices: tuple[str, ...] = field(default=())
    #: tree depth of each Company sheet row, in order (for row groups where it is published)
    depths: tuple[int, ...] = field(default=(), repr=False)

    @property
    def errors(self) -> int:
        """Number of error problems."""
        return sum(p.severity == ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return len(self.problems) - self.errors

    @property
    def exit_code(self) -> int:
        """0 when the data has no errors (warnings allowed), else 1."""
        return 1 if self.errors else 0

    def summary(self) -> str:
        """One paragraph for the admin: what was read, what failed, what was written."""
        states = Counter(s.state for s in self.workbooks)
        bad = [s for s in self.workbooks if s.state != FRESH]
        text = (
            f"Consolidated {len(self.workbooks)} workbook(s) of {self.organisation} as of "
            f"{self.as_of:%Y-%m-%d} in {self.seconds:.1f} s: {states[FRESH]} fresh, "
            f"{states[STALE]} stale, {states[FAILED]} failed"
        )
        if bad:
            text += " (" + "; ".join(_why(s.name, s.error or s.state) for s in bad) + ")"
        text += f"; {self.rows} row(s), {self.errors} error(s), {self.warnings} warning(s)"
        text += " (see the Problems sheet)" if self.problems else ""
        if self.previous:
            text += f"; {self.changes} change(s) since {self.previous:%Y-%m-%d}"
        text += f". Wrote {self.output}"
        if self.copy:
            text += f"; the previous workbook is kept as {self.copy}"
        text += "."
        for notice in self.notices:
            text += f" {notice}"
        return text


def checkpoint(name: str) -> None:
    """Fault injection for the kill-safety tests: SIGKILL ourselves at *name* when asked."""
    if os.environ.get(KILL_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def default_sources(ws: Workspace) -> tuple[tuple[SourceConfig, ...], tuple[str, ...]]:
    """The configured sources, or the bundled example organisation when none are configured."""
    if ws.sources:
        return ws.sources, ()
    example = ws.root / "examples" / "org"
    if example.is_dir():
        note = "No [[sources]] in okr.toml: read the example organisation in examples/org."
        return (SourceConfig("folder", "examples/org"),), (note,)
    if ws.path is None:
        raise ConfigError(
            f"no {CONFIG_NAME} in {ws.root}: run 'okr init' to start a workspace here, "
            "or pass --config PATH"
        )
    raise ConfigError(
        f'no [[sources]] in {ws.path}: add one, e.g. [[sources]] kind = "folder" '
        'path = "departments"'
    )


def consolidate(
    ws: Workspace,
    *,
    output: Path | None = None,
    as_of: date | None = None,
    wait: float = DEFAULT_WAIT,
    forget: Iterable[str] = (),
    threshold: float = CHANGE_THRESHOLD,
    sources: Sequence[Source] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the consolidation of workspace *ws* for the date *as_of* (default today).

    *output* overrides the workspace's output path; *wait* is how long to
    wait for another run's lock; *forget* names workbooks no longer expected
    (a retired department) so they are not reported missing. *sources*
    replaces the configured sources (tests, other front ends). *progress*
    (``callback(stage, done, total)``) follows the run. Nothing is printed:
    the summary is ``RunResult.summary()``.
    """
    as_of = as_of or date.today()
    out = Path(output or ws.output).resolve()
    notices: tuple[str, ...] = ()
    if sources is None:
        configs, notices = default_sources(ws)
        skip = (out, *output_files.copies_dir(out).glob("*"))
        sources = [make_source(c, ws, skip=skip) for c in configs]
    report_progress = progress or (lambda stage, done, total: None)
    report_progress("waiting for the run lock", 0, 0)
    with run_lock(ws.store_url, timeout=wait), _collector_paused():
        engine = open_store(ws.store_url)
        try:
            return _run(
                ws, engine, sources, out, as_of, set(forget), threshold, notices, report_progress
            )
        finally:
            engine.dispose()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the run.

    A run builds millions of small acyclic objects (rows, cells); the
    collector would walk them again and again for nothing (about 13% of the
    run at 50,000 rows). Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(ws, engine, sources, out, as_of, forget, threshold, notices, progress) -> RunResult:
    started = datetime.now()
    clock = time.perf_counter()
    output_files.clean_temp(out)
    prev = run_history.previous_run(engine, as_of)
    known = run_history.run_sources_of(engine, prev.id) if prev else []
    reads, source_errors = read_sources(sources, progress)
    views, states, versions, problems = resolve(engine, reads, source_errors, known, forget, as_of)
    # Tabs, titles and charts name each department as people call it.
    views = [replace(v, department=display_name(v.department, ws.departments)) for v in views]
    del reads  # the bytes of versions the store already keeps are not needed any more
    checkpoint("read")
    progress("check", 0, 1)
    items: list[Item] = []
    owner: list[int] = []
    for w, view in enumerate(views):
        items.extend(view.items)
        owner.extend([w] * len(view.items))
    metrics = {n: str(m.get("unit", "")) for n, m in ws.metrics.items()} if ws.metrics else None
    problems += check(items, ws.settings, today=as_of, metrics=metrics, departments=ws.departments)
    checkins = [c for v in views for c in v.checkins]
    problems += check_log(items, checkins, ws.settings, as_of)
    scores = score_all(items, as_of, ws.settings)
    tree = build_tree(items, ws.settings)
    # History and Data follow the tree, so the order of the sources does not matter.
    order = [n.index for n in tree.nodes if not n.is_branch and not n.is_repeat]
    data = data_blocks(items, latest_details(engine), order) if ws.metrics else ()
    problems += detail_problems(items, data)
    problems.sort(key=sort_key)
    hidden, collapsed = fold(tree, items, ws.settings)
    nodes = node_records(tree, items, scores, views, owner)
    current = {}
    for n in nodes:
        current.setdefault(n.id, Snapshot(n.id, n.kind, n.parent, n.title, n.department,
                                          n.progress, n.status, n.notes))  # fmt: skip
    before = run_history.snapshots(engine, prev.id) if prev else {}
    diff = changes(before, current, threshold) if prev else []
    history = history_of(engine, items, checkins, nodes, as_of, order)
    progress("check", 1, 1)
    report = Report(
        organisation=ws.organisation,
        as_of=as_of,
        started_at=started,
        workbooks=tuple(views),
        items=tuple(items),
        owner=tuple(owner),
        scores=scores,
        tree=tree,
        hidden=hidden,
        collapsed=collapsed,
        problems=tuple(problems),
        metrics=collect_metrics(engine, items, owner, views, ws.settings, as_of),
        trend=trend_of(engine, nodes, as_of, TREND_RUNS),
        changes=tuple(diff),
        previous=prev.as_of if prev else None,
        notices=notices,
        history=history,
        data=data,
        due=owners_due(items, needs_update(items, latest(checkins, as_of), ws.settings, as_of)),
    )
    progress("write", 0, 1)
    tmp = output_files.write_temp(out, report)
    progress("write", 1, 1)
    try:
        return _finish(engine, ws, out, tmp, report, states, nodes, versions, clock)
    finally:
        tmp.unlink(missing_ok=True)  # gone already unless the run failed after writing it


def _finish(engine, ws, out, tmp, report, states, nodes, versions, clock) -> RunResult:
    """Record the run, keep the dated copy, rename the new workbook into place."""
    checkpoint("written")
    as_of, prev_date = report.as_of, report.previous
    copy_date = output_files.output_date(run_history.last_output_date(engine, str(out)), out)
    record = RunRecord(
        as_of=as_of,
        started_at=report.started_at,
        finished_at=datetime.now(),
        organisation=ws.organisation,
        output=str(out),
        sources=states,
        nodes=nodes,
        problems=report.problems,
        versions=versions,
    )
    run_id = run_store.record_run(engine, record, before_commit=lambda: checkpoint("commit"))
    checkpoint("recorded")
    copy = output_files.keep_copy(out, copy_date, ws.keep_copies)
    checkpoint("copied")
    output_files.replace(tmp, out)
    output_files.prune(out, ws.keep_copies)
    return RunResult(
        run_id=run_id,
        organisation=ws.organisation,
        as_of=as_of,
        output=out,
        copy=copy,
        workbooks=tuple(states),
        problems=report.problems,
        changes=len(report.changes),
        rows=len(report.items),
        seconds=time.perf_counter() - clock,
        previous=prev_date,
        notices=report.notices,
        depths=tuple(n.depth for n in report.tree.nodes),
    )


def _why(name: str, error: str) -> str:
    """``name: reason``, without naming the workbook twice when the reason starts with it."""
    return error if error.startswith(f"{name}: ") else f"{name}: {error}"
