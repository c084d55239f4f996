"""The inputs of a consolidation run: workbooks (fresh or fallen back), metrics, trend, nodes.

Split from ``sync.consolidate`` so that module stays about the order of a run.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from okr.checkins import CheckIn
from okr.model import Item
from okr.problems import Problem, make_problem
from okr.reading import Table
from okr.rollup import Score
from okr.settings import Settings
from okr.shares import parent_text
from okr.tree import Tree
from sync.company.history import HistoryRow, history_rows
from sync.company.report import MetricRow, Trend, WorkbookView
from sync.errors import InputError
from sync.run_records import FAILED, FRESH, STALE, NodeRecord, SourceState, Version
from sync.sources.base import Source, SourceRead, parse_stored
from sync.store import history as run_history
from sync.store import points
from sync.store import runs as run_store

NO_SOURCE = "—"


def read_sources(
    sources: Sequence[Source], progress: Callable[[str, int, int], None]
) -> tuple[list[SourceRead], dict[str, str]]:
    """Read every source; a source that cannot be reached at all is reported by name."""
    reads: list[SourceRead] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for source in sources:
        label = f"read {source.name}"
        progress(label, 0, 0)
        try:
            if "progress" in _parameters(source.read):
                found = source.read(progress=_relay(progress, label))
            else:
                found = source.read()
        except InputError as exc:
            errors[source.name] = str(exc)
            continue
        for r in found:
            if r.name in seen:  # the same file name in two sources: prefix the source
                r = replace(r, name=f"{r.source}:{r.name}")
            seen.add(r.name)
            reads.append(r)
    return reads, errors


def _relay(progress: Callable[[str, int, int], None], label: str) -> Callable[[int, int], None]:
    return lambda done, total: progress(label, done, total)


def _parameters(func: Callable) -> set[str]:
    try:
        return set(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return set()


def collect_metrics(
    engine: Engine,
    items: Sequence[Item],
    owner: Sequence[int],
    views: Sequence[WorkbookView],
    settings: Settings,
    as_of: date,
) -> tuple[MetricRow, ...]:
    """Every metric-fed key result with its value, as-of, state and source."""
    latest = _latest_lookup(engine)
    out = []
    for item, w in zip(items, owner, strict=True):
        if not item.metric:
            continue
        view = views[w]
        if item.metric_state:
            state, detail = "failed", item.metric_state
        elif view.state != FRESH:
            state, detail = "stale", f"its workbook {view.name} is {view.stale_note}"
        elif item.as_of is None:
            state, detail = "stale", "never refreshed: run 'okr metrics refresh'"
        else:
            age = (as_of - _day(item.as_of)).days
            if age > settings.stale_days:
                state, detail = "stale", f"{age} days old (limit {settings.stale_days})"
            else:
                state, detail = FRESH, ""
        out.append(
            MetricRow(
                item,
                item.current,
                item.as_of,
                state,
                latest(item.metric, item.period_label),
                detail,
            )
        )
    return tuple(out)


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _latest_lookup(engine: Engine) -> Callable[[str, str], str]:
    """``(metric, period) -> source`` from the metric store, '—' when it knows nothing."""
    try:
        from sync.store.metrics import latest
    except ImportError:
        return lambda metric, period: NO_SOURCE
    cache: dict[tuple[str, str], str] = {}

    def lookup(metric: str, period: str) -> str:
        key = (metric, period)
        if key not in cache:
            try:
                record = latest(engine, metric, period, good_only=True)
            except Exception:  # noqa: BLE001 - the source column is informative only
                record = None
            cache[key] = str(getattr(record, "source", "") or NO_SOURCE) if record else NO_SOURCE
        return cache[key]

    return lookup


def trend_of(engine: Engine, nodes: Sequence[NodeRecord], as_of: date, runs: int) -> Trend:
    """Objective progress over the last *runs* runs (this one last) and action-change marks."""
    past = run_history.list_runs(engine, before=as_of, limit=max(runs - 1, 0))
    history = run_history.objective_history(engine, [r.id for r in past])
    dates = (*(r.as_of for r in past), as_of)
    values: dict[str, list[float | None]] = {}
    marks: dict[str, list[str]] = {}
    for node in nodes:
        if node.kind != "objective" or node.id in values:
            continue
        points = [history[r.id].get(node.id) for r in past]
        seq = [p.progress if p else None for p in points] + [node.progress]
        acts: list[str | None] = [p.actions if p else None for p in points] + [node.actions]
        values[node.id] = seq
        marks[node.id] = [
            (acts[k] or "(notes cleared)")
            if k > 0 and acts[k] is not None and acts[k - 1] is not None and acts[k] != acts[k - 1]
            else ""
            for k in range(len(acts))
        ]
    return Trend(dates, values, marks)


#: Runs whose Notes the History sheet compares (this one included).
TREND_POINTS = 12


def history_of(
    engine: Engine,
    items: Sequence[Item],
    checkins: Sequence[CheckIn],
    nodes: Sequence[NodeRecord],
    as_of: date,
    order: Sequence[int] | None = None,
) -> tuple[HistoryRow, ...]:
    """The History sheet's rows: check-ins, stored metric values, Notes and progress per run."""
    metrics = {i.metric for i in items if i.is_key_result and i.metric}
    values = points.metric_points(engine, metrics) if metrics else {}
    past = run_history.list_runs(engine, before=as_of, limit=TREND_POINTS - 1)
    per_run = points.key_results_per_run(engine, [r.id for r in past])
    now = {n.id: (n.notes or "", n.progress) for n in nodes if n.kind == "key result"}
    runs = [*((r.as_of, per_run[r.id]) for r in past), (as_of, now)]
    return history_rows(items, checkins, values, runs, as_of, order)


def _department(items: Sequence[Item], name: str) -> str:
    counts = Counter(i.department for i in items if i.department)
    return counts.most_common(1)[0][0] if counts else Path(name).stem


def resolve(
    engine: Engine,
    reads: Sequence[SourceRead],
    source_errors: dict[str, str],
    known: Sequence[SourceState],
    forget: set[str],
    as_of: date,
) -> tuple[
    list[WorkbookView], list[SourceState], list[tuple[str, str, bytes | None]], list[Problem]
]:
    """Decide what each workbook shows: fresh read, last good version (stale), or nothing.

    *known* are the workbooks of the previous run: one not read now is missing
    and falls back like a broken one. Returns the views (what the workbook
    shows), the states (what the store records), the versions to keep (bytes
    None when the store has them already) and the reading problems.
    """
    problems: list[Problem] = []
    versions: list[tuple[str, str, bytes | None]] = []
    stored = run_store.known_versions(engine, [(r.name, r.digest) for r in reads if r.ok])
    current = {r.name for r in reads}
    # Workbooks the previous run had but this one did not find: missing.
    missing = [
        SourceRead(k.source, k.name, None, None, _missing(k, source_errors))
        for k in known
        if k.name not in current and k.name not in forget
    ]
    for src, reason in source_errors.items():
        problems.append(make_problem("unreadable", reason, workbook=src))
    todo = [r for r in reads if r.name not in forget] + missing
    fallback = run_history.last_good(engine, [r.name for r in todo if not r.ok])
    views: list[WorkbookView] = []
    states: list[SourceState] = []
    for r in sorted(todo, key=lambda r: (r.source, r.name)):
        if r.ok:
            digest = r.digest
            versions.append((r.name, digest, None if (r.name, digest) in stored else r.data))
            problems.extend(r.table.problems)
            items = r.table.items
            views.append(WorkbookView(r.name, r.source, FRESH, _department(items, r.name),
                                      items, "", as_of, digest, r.table.checkins))  # fmt: skip
            states.append(SourceState(r.name, r.source, FRESH, digest, digest, as_of))
            continue
        good = fallback.get(r.name)
        table = _parse_stored(good) if good else None
        if table is None:
            message = f"{r.error}; no earlier good version to show"
            problems.append(make_problem("unreadable", message, workbook=r.name))
            views.append(WorkbookView(r.name, r.source, FAILED, Path(r.name).stem, (), r.error))
            states.append(SourceState(r.name, r.source, FAILED, r.digest, "", None, r.error))
            continue
        message = f"{r.error}; showing the version last read on {good.last_seen:%Y-%m-%d} (stale)"
        problems.append(make_problem("unreadable", message, workbook=r.name))
        problems.extend(table.problems)
        views.append(
            WorkbookView(
                r.name,
                r.source,
                STALE,
                _department(table.items, r.name),
                table.items,
                r.error,
                good.last_seen,
                good.digest,
                table.checkins,
            )
        )
        states.append(
            SourceState(r.name, r.source, STALE, r.digest, good.digest, good.last_seen, r.error)
        )
    return views, states, versions, problems


def _missing(known: SourceState, source_errors: dict[str, str]) -> str:
    if known.source in source_errors:
        return source_errors[known.source]
    return f"{known.name}: missing from source {known.source} (read in the previous run)"


def _parse_stored(version: Version) -> Table | None:
    try:
        return parse_stored(version.data, version.name)
    except InputError:
        return None


def node_records(
    tree: Tree,
    items: Sequence[Item],
    scores: dict[str, Score],
    views: Sequence[WorkbookView],
    owner: Sequence[int],
) -> list[NodeRecord]:
    """One record per tree row (the Unaligned branch row excluded), in tree order."""
    out: list[NodeRecord] = []
    krs: dict[int, list[Item]] = {}
    for node in tree.nodes:
        if node.is_branch or node.up < 0:
            continue
        up = tree.nodes[node.up]
        if not up.is_branch and items[node.index].is_key_result:
            krs.setdefault(up.index, []).append(items[node.index])
    for node in tree.nodes:
        if node.is_branch or node.is_repeat:  # a shared objective is recorded once
            continue
        item = items[node.index]
        up = tree.nodes[node.up] if node.up >= 0 else None
        score = scores.get(item.id)
        actions = item.notes
        if item.is_objective:
            parts = [item.notes] if item.notes else []
            parts += [f"{k.id}: {k.notes}" for k in krs.get(node.index, []) if k.notes]
            actions = "\n".join(parts)
        out.append(
            NodeRecord(
                id=item.id,
                kind=item.kind,
                parent=(parent_text(item) or "")[:100] or None,
                up=up.id if up is not None else None,
                depth=node.depth,
                department=item.department or views[owner[node.index]].department,
                workbook=item.where.workbook,
                title=item.title,
                progress=score.rolled if score else None,
                own=score.progress if score else None,
                status=score.status if score else None,
                notes=item.notes,
                actions=actions,
            )
        )
    return out
