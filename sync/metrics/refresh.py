"""``okr metrics refresh``: measure every metric the workbooks use and write them in place.

1. read each department workbook (python-calamine) and collect the key
   results whose Metric names a registry metric, with their Period;
2. measure each distinct (metric, period) once, connections concurrently
   (``sync.metrics.measure.measure_all``), in workbook order;
3. as soon as all metrics of a workbook are in, write its Current and As of
   cells in place (``sync.xlsx.fill``), in worker processes when there
   are several workbooks and cores, while the other metrics are measured;
4. record every outcome in the store, and the detail rows captured with it
   (same window and as-of; ``sync.metrics.detail``), while the last
   workbooks are still being written.

A failed metric keeps its Current; its As of keeps the old time with a
``(failed: reason)`` mark the check reports as ``stale``, plus a note.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from okr.reading import Table
from sync.config import Workspace
from sync.errors import InputError, OkrError
from sync.metrics.connectors import ConnectorSet
from sync.metrics.measure import DEFAULT_WORKERS, Outcome, measure_all
from sync.metrics.registry import MetricDef, load_connections, load_registry
from sync.xlsx.fill import Binding, BoundWorkbook, WorkbookResult, bound_keys, fill_workbook


@dataclass(frozen=True)
class RefreshReport:
    """Everything a refresh did: outcomes, workbooks, row problems, seconds taken."""

    outcomes: tuple[Outcome, ...]
    workbooks: tuple[WorkbookResult, ...]
    problems: tuple[str, ...] = ()
    seconds: float = 0.0
    recorded: int = 0

    @property
    def failures(self) -> list[Outcome]:
        """The metrics that failed."""
        return [o for o in self.outcomes if o.state == "failed"]

    @property
    def ok(self) -> bool:
        """True when every metric was measured and every workbook written or unchanged."""
        skipped = any(w.state == "skipped" for w in self.workbooks)
        return not self.failures and not self.problems and not skipped


def workbook_paths(ws: Workspace, paths: Sequence[str | Path] = ()) -> list[tuple[str, Path]]:
    """(name, path) of the workbooks to fill: *paths* (files or folders) or the folder sources."""
    from sync.consolidate.outputs import company_files
    from sync.sources.folder import workbook_files, workspace_files

    skip = company_files(Path(ws.output).resolve())
    if not paths:
        return workspace_files(ws, skip)  # Google Sheets are filled by the sheets sync, not here
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(f"{p}: no such file or folder; check the path")
    return workbook_files(paths, skip)


def _read(
    name: str,
    path: Path,
    registry: dict[str, MetricDef],
    problems: list[str],
    *,
    max_rows: int,
    decimal: str | None,
) -> BoundWorkbook:
    from sync.xlsx.reading import open_regular, read_workbook_bytes

    with open_regular(path, name) as fh:
        stat = os.fstat(fh.fileno())
        data = fh.read()
    table = read_workbook_bytes(data, name, max_rows=max_rows, decimal=decimal)
    bindings = bindings_of(table, name, registry, problems)
    return BoundWorkbook(path, name, (stat.st_mtime_ns, stat.st_size), data, table, bindings)


def bindings_of(
    table: Table, name: str, registry: dict[str, MetricDef], problems: list[str]
) -> list[Binding]:
    """The key-result rows of *table* bound to a registry metric; the others reported."""
    bindings = []
    for item in table.items:
        if not item.metric:
            continue
        at = f"{name} {item.where.cell('metric')}"
        if not item.is_key_result:
            problems.append(f"{at}: {item.id} is not a key result; only key results take metrics")
        elif item.metric not in registry:
            problems.append(
                f"{at}: {item.id} names metric {item.metric}, which is not in the registry: "
                "add it to [metrics] in okr.toml or fix the name ('okr metrics list')"
            )
        elif item.period is None:
            problems.append(
                f"{at}: {item.id} has no valid Period, so its metric cannot be measured"
            )
        else:
            bindings.append(Binding(item.where.row, item.id, item.metric, item.period))
    return bindings


def refresh(
    ws: Workspace,
    paths: Sequence[str | Path] = (),
    *,
    today: date | None = None,
    workers: int = DEFAULT_WORKERS,
    engine: Any = None,
    now: Callable[[], datetime] = datetime.now,
) -> RefreshReport:
    """Measure the metrics the workbooks use, record them, and fill the workbooks in place.

    *engine* is the store (opened from ``ws.store_url`` when None). Raises
    ``ConfigError`` for a bad registry and ``InputError`` for a missing path;
    everything else is reported in the returned RefreshReport.
    """
    from sync.store.engine import open_store

    started = perf_counter()
    today = today or now().date()
    connections = load_connections(ws)
    registry = load_registry(ws, connections)
    opened = engine is None
    engine = open_store(ws.store_url) if opened else engine
    try:
        with _fewer_collections():
            return _refresh(ws, paths, registry, connections, engine, today, workers, now, started)
    finally:
        if opened:
            engine.dispose()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Keep the cyclic garbage collector off what existed before the refresh, and less often.

    A refresh builds many long-lived objects (answers, detail rows); with the
    default thresholds full collections rescan the whole heap again and again,
    which cost more CPU than parsing the answers. Cycles are still collected.
    """
    with _GC_LOCK:  # refreshes in several threads (the service): the first sets, the last resets
        if not _GC_STATE["active"]:
            _GC_STATE["threshold"] = gc.get_threshold()
            threshold = _GC_STATE["threshold"]
            gc.freeze()
            gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
        _GC_STATE["active"] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_STATE["active"] -= 1
            if not _GC_STATE["active"]:
                gc.set_threshold(*_GC_STATE["threshold"])
                gc.unfreeze()


_GC_LOCK = threading.Lock()
_GC_STATE: dict[str, Any] = {"active": 0, "threshold": (700, 10, 10)}


def _refresh(ws, paths, registry, connections, engine, today, workers, now, started):
    """Measure, write each workbook as it completes, then record; see ``refresh``."""
    from sync.store.details import encode_rows, record_details
    from sync.store.metrics import record

    problems: list[str] = []
    books: list[BoundWorkbook] = []
    results: dict[str, WorkbookResult] = {}
    for name, path in workbook_paths(ws, paths):
        try:
            books.append(
                _read(
                    name,
                    path,
                    registry,
                    problems,
                    max_rows=ws.settings.max_rows,
                    decimal=ws.decimal,
                )
            )
        except (OkrError, OSError) as exc:
            results[name] = WorkbookResult(name, "skipped", error=_oneline(exc))
    sheets = []
    if not paths and any(src.kind == "gsheet" for src in ws.sources):
        from sync.sources.gsheet import read_bound_sheets

        sheets, skipped = read_bound_sheets(
            ws, lambda table, name: bindings_of(table, name, registry, problems)
        )
        results.update((r.name, r) for r in skipped)
    # in workbook order, so each workbook is complete (and written) as early as possible
    bound = [*books, *sheets]
    jobs = list(dict.fromkeys((b.metric, b.period) for book in bound for b in book.bindings))
    pairs = [(registry[m], p) for m, p in jobs]
    connectors = ConnectorSet(connections, ws.root, decimal=ws.decimal)
    limits = {c.name: c.max_concurrency for c in connections.values()}
    writer = _Writer(books, now())
    encoded: dict[tuple[str, str], str] = {}

    def done(outcome: Outcome) -> None:
        writer.done(outcome)
        if outcome.detail is not None:  # encoded now, not after the last answer
            encoded[outcome.metric, outcome.period] = encode_rows(outcome.detail)

    try:
        outcomes = measure_all(
            pairs, connectors, limits, today=today, workers=workers, now=now, on_outcome=done
        )
    except BaseException:
        results.update(writer.finish())  # every workbook write started is finished (atomic)
        raise
    finally:
        connectors.close()
    # The last workbooks are still being written (in other processes) while the store records.
    with ThreadPoolExecutor(1, thread_name_prefix="workbooks") as finishing:
        finished = finishing.submit(writer.finish)
        try:
            if sheets:
                from sync.gsheets.writeback import write_all

                by_key = {(o.metric, o.period): o for o in outcomes}
                results.update((r.name, r) for r in write_all(sheets, by_key, now()))
            recorded = record(engine, outcomes)  # a failing store: ServiceError, workbooks done
            details = [o.detail for o in outcomes if o.detail is not None]
            record_details(engine, details, encoded=encoded)
        finally:
            results.update(finished.result())
    ordered = [results[n] for n in sorted(results)]
    return RefreshReport(
        tuple(outcomes), tuple(ordered), tuple(problems), perf_counter() - started, recorded
    )


class _Writer:
    """Writes each workbook as soon as all of its metrics are in.

    openpyxl is CPU-bound, so with several workbooks and cores the writing
    runs in worker processes, forked before the measuring threads start, while
    the other metrics are still being measured.
    """

    def __init__(self, books: Sequence[BoundWorkbook], when: datetime) -> None:
        self.todo = [b for b in books if b.bindings]
        self.done_books = {
            b.name: WorkbookResult(b.name, "unchanged") for b in books if not b.bindings
        }
        self.when = when
        self.outcomes: dict[tuple[str, str], Outcome] = {}
        self.pending = {b.name: bound_keys(b) for b in self.todo}
        self.users: dict[tuple[str, str], list[BoundWorkbook]] = {}
        for book in self.todo:
            for key in self.pending[book.name]:
                self.users.setdefault(key, []).append(book)
        self.lock = threading.Lock()
        self.futures: dict[str, Future[WorkbookResult]] = {}
        self.pool = self._start_pool()

    def _start_pool(self) -> ProcessPoolExecutor | None:
        cores = os.cpu_count() or 1
        # fork is only safe while no other thread runs (not inside a service, say);
        # without it the workbooks are written here, one after the other
        alone = threading.active_count() == 1
        if len(self.todo) < 2 or cores < 2 or not alone:
            return None
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        # the workers need not copy or scan what this process holds (thawed by refresh)
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(min(len(self.todo), cores), mp_context=context)
            pool.submit(int).result()  # start the workers now, while no thread runs
        except (OSError, RuntimeError):  # pragma: no cover - no processes here: write inline
            return None
        return pool

    def _subset(self, book: BoundWorkbook) -> dict[tuple[str, str], Outcome]:
        return {k: self.outcomes[k] for k in bound_keys(book) if k in self.outcomes}

    def done(self, outcome: Outcome) -> None:
        """Note one outcome (from a measuring thread); start writing any workbook now complete."""
        key = (outcome.metric, outcome.period)
        with self.lock:
            self.outcomes[key] = outcome
            ready = []
            for book in self.users.get(key, ()):
                self.pending[book.name].discard(key)
                if not self.pending[book.name]:
                    ready.append(book)
        if self.pool is None:
            return
        for book in ready:
            try:
                job = self.pool.submit(fill_workbook, book, self._subset(book), self.when)
            except RuntimeError:  # a broken pool: finish() writes it here
                continue
            self.futures[book.name] = job

    def finish(self) -> dict[str, WorkbookResult]:
        """Wait for every workbook; one whose worker failed is written here instead."""
        results = dict(self.done_books)
        for book in self.todo:
            future = self.futures.get(book.name)
            try:
                if future is None:
                    raise LookupError(book.name)
                results[book.name] = future.result()
            except Exception:  # noqa: BLE001 - no worker or a crashed one: write it here
                results[book.name] = fill_workbook(book, self._subset(book), self.when)
        if self.pool is not None:
            self.pool.shutdown()
        return results


def _oneline(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
