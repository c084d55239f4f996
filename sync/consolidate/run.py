"""The nightly consolidation: every department sheet into one aligned company workbook.

One pass, in this order: take the run lock; finish or take back a run that
was killed half-way; read every source and, once, what the store knows of
the past (``sync.consolidate.inputs``); compute the report without touching
a file or the store (``sync.consolidate.compute``); write the company
workbook to a temporary file; record the run, marked pending, in one
transaction; keep a dated copy of the previous workbook; rename the new one
into place; clear the pending mark. Before recording and before renaming the
run checks that it still holds the lock.

Killed at any moment, the previous workbook stays in place and the history
shows the previous run; the next run either completes the killed one (its
workbook was written and recorded) or discards it, so the two always agree.
A store or disk failure is a ``ServiceError`` (exit 3) with both intact.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from okr.problems import ERROR, Problem
from okr.tree import CHANGE_THRESHOLD
from sync.config import Workspace
from sync.consolidate import outputs as output_files
from sync.consolidate.checkpoints import checkpoint
from sync.consolidate.compute import Inputs, Outcome, Past, compute
from sync.consolidate.inputs import load_past, read_sources
from sync.run_records import FAILED, FRESH, STALE, Progress, RunRecord, SourceState
from sync.sources import workspace_sources
from sync.sources.base import Source
from sync.store import runs as run_store
from sync.store.engine import open_store, sqlite_path, store_failure
from sync.store.lock import Held, run_lock

#: Seconds a run waits for another run's lock before giving up (``--wait``).
DEFAULT_WAIT = 60.0
#: Points (runs) in the Trend sheet, the current run included.
TREND_RUNS = 12


@dataclass(frozen=True)
class RunOptions:
    """How to run: the knobs of ``okr consolidate``."""

    #: the company workbook to write (default: the workspace's output)
    output: Path | None = None
    #: the run date (default: today)
    as_of: date | None = None
    #: seconds to wait for another run's lock
    wait: float = DEFAULT_WAIT
    #: workbooks no longer expected (a retired department)
    forget: frozenset[str] = frozenset()
    #: progress moves larger than this are listed in Changes
    threshold: float = CHANGE_THRESHOLD
    #: record nothing; write only an explicitly given output
    dry_run: bool = False
    #: sentences added to the summary and the Dashboard
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunResult:
    """What one consolidation run did."""

    #: the recorded run's id (None for a dry run)
    run_id: int | None
    organisation: str
    as_of: date
    output: Path | None
    copy: Path | None
    workbooks: tuple[SourceState, ...]
    problems: tuple[Problem, ...]
    changes: int
    rows: int
    seconds: float
    previous: date | None = None
    notices: tuple[str, ...] = field(default=())
    dry_run: bool = False
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
        if self.dry_run:
            wrote = f"Wrote {self.output}" if self.output else "Wrote no workbook"
            text += f". Dry run: recorded nothing. {wrote}"
        else:
            text += f". Wrote {self.output}"
        if self.copy:
            text += f"; the previous workbook is kept as {self.copy}"
        text += "."
        for notice in self.notices:
            text += f" {notice}"
        return text


def consolidate(
    ws: Workspace,
    options: RunOptions | None = None,
    *,
    sources: Sequence[Source] | None = None,
    progress: Progress | None = None,
    **fields: object,
) -> RunResult:
    """Run the consolidation of workspace *ws*; *options* (or its fields as keywords).

    *sources* replaces the configured sources (tests, other front ends).
    *progress* (``callback(stage, done, total)``) follows the run. Nothing is
    printed: the summary is ``RunResult.summary()``. Raises ``ConfigError``
    when there are no sources, ``LockedError`` when another run keeps the
    lock, ``ServiceError`` when the store, the disk or the lock fails.
    """
    if options is None:
        if "forget" in fields:
            fields["forget"] = frozenset(fields["forget"])  # type: ignore[arg-type]
        options = RunOptions(**fields)  # type: ignore[arg-type]
    as_of = options.as_of or date.today()
    out = Path(options.output or ws.output).resolve()
    if sources is None:
        sources = workspace_sources(ws, skip=output_files.company_files(out))
    run = _Run(ws, options, as_of, out, sources, progress or (lambda stage, done, total: None))
    try:
        if options.dry_run:
            return run.dry()
        run.progress("waiting for the run lock", 0, 0)
        with run_lock(ws.store_url, timeout=options.wait) as held, _collector_paused():
            engine = open_store(ws.store_url)
            try:
                resolve_pending(engine)
                return run.full(engine, held)
            finally:
                engine.dispose()
    except SQLAlchemyError as exc:
        raise store_failure(ws.store_url, exc, "use") from None


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


def resolve_pending(engine: Engine) -> list[int]:
    """Finish or take back runs killed between recording and renaming; their ids.

    A pending run whose workbook was renamed into place (the file's stamp says
    so) is marked done. One whose workbook is still waiting, and which no
    later run has superseded, is completed: dated copy, rename, done. Any
    other is taken back, so the history never shows a run whose workbook
    never reached its place.
    """
    done: list[int] = []
    pending = run_store.pending(engine)
    latest = run_store.latest_run_id(engine)
    for p in pending:
        out, tmp = Path(p.output), Path(p.temp)
        if p.stamp and output_files.stamp(out) == p.stamp:
            run_store.finish_run(engine, p.run_id)
        elif p.run_id == latest and p.stamp and output_files.stamp(tmp) == p.stamp:
            output_files.keep_copy(out, output_files.output_date(out), _keep(out))
            output_files.replace(tmp, out)
            run_store.finish_run(engine, p.run_id)
        else:
            run_store.drop_run(engine, p.run_id)
            tmp.unlink(missing_ok=True)
        done.append(p.run_id)
    return done


def _keep(out: Path) -> int:
    """Copies to keep when completing a killed run: all there are plus one (prune trims later)."""
    folder = output_files.copies_dir(out)
    return len(list(folder.glob("*"))) + 1 if folder.is_dir() else 1


class _Run:
    """One run's settings and the steps that use them."""

    def __init__(
        self,
        ws: Workspace,
        options: RunOptions,
        as_of: date,
        out: Path,
        sources: Sequence[Source],
        progress: Progress,
    ) -> None:
        """Remember what the run needs; nothing is read yet."""
        self.ws, self.options, self.as_of, self.out = ws, options, as_of, out
        self.sources, self.progress = sources, progress
        self.started = datetime.now()
        self.clock = time.perf_counter()

    def compute(self, engine: Engine | None) -> Outcome:
        """Read the sources and the past, then compute the report."""
        # Handed over, not kept here: the compute step lets the reads go once used.
        outcome = compute(self.inputs(engine))
        self.progress("check", 1, 1)
        return outcome

    def inputs(self, engine: Engine | None) -> Inputs:
        """Read the sources and, once, what the store knows of the past."""
        ws, opts = self.ws, self.options
        checkpoint("sources")
        reads, errors = read_sources(self.sources, self.progress)
        past = (
            load_past(
                engine,
                reads,
                errors,
                opts.forget,
                self.as_of,
                TREND_RUNS,
                max_rows=ws.settings.max_rows,
                decimal=ws.decimal,
            )
            if engine is not None
            else Past()
        )
        checkpoint("read")
        self.progress("check", 0, 1)
        units = {n: str(m.get("unit", "")) for n, m in ws.metrics.items()} if ws.metrics else None
        return Inputs(
            organisation=ws.organisation,
            settings=ws.settings,
            as_of=self.as_of,
            started_at=self.started,
            reads=reads,
            source_errors=errors,
            past=past,
            metric_units=units,
            departments=ws.departments,
            forget=opts.forget,
            threshold=opts.threshold,
            notices=opts.notices,
        )

    def write(self, outcome: Outcome) -> Path:
        """Write the workbook to a temporary file beside the output."""
        self.progress("write", 0, 1)
        tmp = output_files.write_temp(self.out, outcome.report, self.ws.lang)
        self.progress("write", 1, 1)
        return tmp

    def full(self, engine: Engine, held: Held) -> RunResult:
        """The real run: compute, write, record (pending), copy, rename, done."""
        output_files.clean_temp(self.out)
        outcome = self.compute(engine)
        tmp = self.write(outcome)
        report = outcome.report
        recorded = False
        try:
            checkpoint("written")
            held.check()
            copy_date = output_files.output_date(self.out)
            record = RunRecord(
                as_of=self.as_of,
                started_at=self.started,
                finished_at=datetime.now(),
                organisation=self.ws.organisation,
                output=str(self.out),
                sources=outcome.sources,
                nodes=outcome.nodes(),
                problems=report.problems,
                versions=outcome.versions,
                renames=outcome.renames,
            )
            run_id = run_store.record_run(
                engine,
                record,
                pending=(str(self.out), str(tmp), output_files.stamp(tmp)),
                before_commit=lambda: checkpoint("commit"),
            )
            recorded = True  # from here the next run completes it if this one dies
            checkpoint("recorded")
            held.check()
            copy = output_files.keep_copy(self.out, copy_date, self.ws.keep_copies)
            checkpoint("copied")
            output_files.replace(tmp, self.out)
            checkpoint("renamed")
            run_store.finish_run(engine, run_id)
        finally:
            if not recorded:
                tmp.unlink(missing_ok=True)
        output_files.prune(self.out, self.ws.keep_copies)
        return self.result(outcome, run_id, self.out, copy)

    def dry(self) -> RunResult:
        """Compute from the store without recording; write only an explicitly given output."""
        url = self.ws.store_url
        path = sqlite_path(url)
        engine = open_store(url) if path is None or path.exists() else None
        try:
            outcome = self.compute(engine)
        finally:
            if engine is not None:
                engine.dispose()
        out = None
        if self.options.output is not None:
            tmp = self.write(outcome)
            try:
                output_files.replace(tmp, self.out)
            finally:
                tmp.unlink(missing_ok=True)
            out = self.out
        return self.result(outcome, None, out, None)

    def result(
        self, outcome: Outcome, run_id: int | None, out: Path | None, copy: Path | None
    ) -> RunResult:
        """The ``RunResult`` of this run."""
        report = outcome.report
        return RunResult(
            run_id=run_id,
            organisation=self.ws.organisation,
            as_of=self.as_of,
            output=out,
            copy=copy,
            workbooks=outcome.sources,
            problems=report.problems,
            changes=len(report.changes),
            rows=len(report.items),
            seconds=time.perf_counter() - self.clock,
            previous=report.previous,
            notices=report.notices,
            dry_run=self.options.dry_run,
            depths=tuple(n.depth for n in report.tree.nodes),
        )


def _why(name: str, error: str) -> str:
    """``name: reason``, without naming the workbook twice when the reason starts with it."""
    return error if error.startswith(f"{name}: ") else f"{name}: {error}"
