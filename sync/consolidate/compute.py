"""The pure step of a run: from what was read and what the store knew, the report.

``compute`` takes plain values (the workbooks read now, the past the store
gave back) and returns the ``Report`` the company workbook is written from,
plus the rows the store will record. It opens no file and no store, so it is
tested with hand-made inputs. The order: decide what each workbook shows
(fresh, stale or failed; one renamed since the previous run shows once, under
its new name), check the organisation, score, build the tree,
compare with the previous run, draw the trend and the history, list the
metric-fed values and the detail rows behind them.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from okr.cascade import check
from okr.checkins import CheckIn, check_log, latest, needs_update
from okr.departments import display_name
from okr.model import Item
from okr.problems import Problem, make_problem, sort_key
from okr.reading import Table
from okr.rollup import score_all
from okr.settings import Settings
from okr.tree import CHANGE_THRESHOLD, Snapshot, build_tree, changes, fold
from sync.company.data import data_blocks, detail_problems
from sync.company.history import history_rows, logged, owners_due
from sync.company.report import MetricRow, Report, WorkbookView
from sync.consolidate.nodes import node_records, trend
from sync.consolidate.renames import find_renames, renamed_problems
from sync.run_records import FAILED, FRESH, STALE, Blob, NodeRecord, RunInfo, SourceState
from sync.sources.base import SourceRead

#: Shown in the Metrics sheet's source column when the metric store knows nothing.
NO_SOURCE = "—"


@dataclass(frozen=True)
class Fallback:
    """The last good version of a workbook, parsed (``table`` None when it no longer parses)."""

    digest: str
    last_seen: date
    table: Table | None


@dataclass(frozen=True)
class Past:
    """Everything a run needs from the store, read once before computing."""

    previous: RunInfo | None = None
    #: the workbooks of the previous run
    known: tuple[SourceState, ...] = ()
    #: (name, digest) of the versions read now that the store keeps already
    stored: frozenset[tuple[str, str]] = frozenset()
    #: workbook name -> its last good version, for those not read fine now
    fallback: Mapping[str, Fallback] = field(default_factory=dict)
    #: what Changes compares of the previous run's rows, by ID (first row wins)
    before: Mapping[str, Snapshot] = field(default_factory=dict)
    #: earlier runs for the Trend sheet, oldest first, and objective ID ->
    #: (progress, actions) in each of them
    trend_runs: tuple[RunInfo, ...] = ()
    trend_points: Mapping[int, Mapping[str, tuple[float | None, str]]] = field(default_factory=dict)
    #: (metric, period label) -> where its last good value came from
    metric_sources: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: (metric, period label) -> its latest detail rows (``sync.store.details.Detail``)
    details: Mapping[tuple[str, str], Any] = field(default_factory=dict)
    #: metric -> its good values over time, oldest first, as (as-of day, value)
    metric_points: Mapping[str, Sequence[tuple[date, float]]] = field(default_factory=dict)
    #: earlier runs for the History sheet, oldest first: (run date, key result ID ->
    #: (its Notes, its progress))
    history_runs: tuple[tuple[date, Mapping[str, tuple[str, float | None]]], ...] = ()


@dataclass(frozen=True)
class Inputs:
    """The plain values one run computes from."""

    organisation: str
    settings: Settings
    as_of: date
    started_at: datetime
    reads: Sequence[SourceRead]
    #: source name -> why the whole source could not be read
    source_errors: Mapping[str, str] = field(default_factory=dict)
    past: Past = field(default_factory=Past)
    #: metric name -> unit (None: no registry, metric names are not checked)
    metric_units: Mapping[str, str] | None = None
    #: department code -> its name (``[departments.CODE] name``)
    departments: Mapping[str, Any] = field(default_factory=dict)
    forget: frozenset[str] = frozenset()
    threshold: float = CHANGE_THRESHOLD
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a run computed: the report to write and the rows to record."""

    report: Report
    sources: tuple[SourceState, ...]
    #: (name, digest, bytes) of each workbook read fresh; bytes None when already
    #: stored, or a function reading them when they are needed
    versions: tuple[tuple[str, str, Blob], ...]
    #: (old name, new name) of each workbook renamed since the previous run
    renames: tuple[tuple[str, str], ...] = ()

    def nodes(self) -> Iterator[NodeRecord]:
        """One record per tree row, for the store: made as they are recorded, never all held."""
        r = self.report
        return node_records(r.tree, r.items, r.scores, r.workbooks, r.owner)


def missing_reads(
    reads: Sequence[SourceRead],
    known: Sequence[SourceState],
    source_errors: Mapping[str, str],
    forget: frozenset[str] | set[str],
) -> list[SourceRead]:
    """Workbooks the previous run had that were not read now (and are not forgotten)."""
    current = {r.name for r in reads}
    return [
        SourceRead(k.source, k.name, None, None, _missing(k, source_errors))
        for k in known
        if k.name not in current and k.name not in forget
    ]


def needs_fallback(
    reads: Sequence[SourceRead],
    known: Sequence[SourceState],
    source_errors: Mapping[str, str],
    forget: frozenset[str] | set[str],
) -> list[str]:
    """Names of the workbooks that will show their last good version if they have one."""
    todo = [r for r in reads if r.name not in forget and not r.ok]
    return [r.name for r in todo + missing_reads(reads, known, source_errors, forget)]


def compute(inputs: Inputs) -> Outcome:
    """Check, score, build the tree, compare with the past: the report and the rows to record.

    The reads and the past are let go once they are used, if the caller
    keeps no reference to *inputs* (the nightly run hands them over).
    """
    past = inputs.past
    renames = find_renames(
        inputs.reads, past.known, past.fallback, inputs.source_errors, inputs.forget
    )
    views, states, versions, problems, checkins = _resolve(inputs, renames)
    # Tabs, titles and charts name each department as people call it.
    views = [replace(v, department=display_name(v.department, inputs.departments)) for v in views]
    items: list[Item] = []
    owner: list[int] = []
    for w, view in enumerate(views):
        items.extend(view.items)
        owner.extend([w] * len(view.items))
    settings = inputs.settings
    as_of = inputs.as_of
    problems += check(
        items, settings, today=as_of, metrics=inputs.metric_units, departments=inputs.departments
    )
    due = needs_update(items, latest(checkins, as_of), settings, as_of)
    problems += check_log(items, checkins, settings, as_of, due)
    # Checked as typed (a code and a name are two spellings); shown by name from here on.
    items = _named(items, inputs.departments)
    logs = logged(checkins, as_of)
    # The log is used: let it go before the rest is built (when the caller handed
    # the inputs over, nothing else holds it), as the run's peak of memory is ahead.
    organisation, started_at, notices = inputs.organisation, inputs.started_at, inputs.notices
    threshold = inputs.threshold
    del inputs, checkins
    scores = score_all(items, as_of, settings)
    tree = build_tree(items, settings)
    # History and Data follow the tree, so the order of the sources does not matter.
    order = [n.index for n in tree.nodes if not n.is_branch and not n.is_repeat]
    data = data_blocks(items, past.details, order)
    problems += detail_problems(items, data)
    problems.sort(key=sort_key)
    hidden, collapsed = fold(tree, items, settings)
    # The rows as recorded, made one at a time for Changes; Trend keeps the objectives.
    objectives: list[NodeRecord] = []
    records = _objectives_kept(node_records(tree, items, scores, views, owner), objectives)
    diff = changes(past.before, records, threshold) if past.previous else []
    deque(records, maxlen=0)  # without a previous run Changes reads none: Trend needs them all
    drawn = trend(past.trend_runs, past.trend_points, objectives, as_of)
    del objectives
    metrics = metric_rows(items, owner, views, settings, as_of, past.metric_sources)
    previous = past.previous.as_of if past.previous else None
    metric_points, runs = past.metric_points, past.history_runs
    del past  # all but what History reads of it goes before History is built
    history = history_rows(items, scores, logs, metric_points, runs, as_of, order)
    # The previous run's rows among them (History keeps what it shows): room for the write.
    del logs, metric_points, runs
    report = Report(
        organisation=organisation,
        as_of=as_of,
        started_at=started_at,
        workbooks=tuple(views),
        items=tuple(items),
        owner=tuple(owner),
        scores=scores,
        tree=tree,
        hidden=hidden,
        collapsed=collapsed,
        problems=tuple(problems),
        metrics=metrics,
        trend=drawn,
        changes=tuple(diff),
        previous=previous,
        notices=notices,
        history=history,
        data=data,
        due=owners_due(items, due),
    )
    return Outcome(report, tuple(states), tuple(versions), tuple(renames.items()))


def _objectives_kept(
    records: Iterable[NodeRecord], objectives: list[NodeRecord]
) -> Iterator[NodeRecord]:
    """*records* as they come, each objective's also added to *objectives*."""
    for n in records:
        if n.kind == "objective":
            objectives.append(n)
        yield n


def _named(items: list[Item], names: Mapping[str, str]) -> list[Item]:
    """*items* with each Department that is a configured code replaced by its name."""
    if not names:
        return items
    out = []
    for item in items:
        shown = display_name(item.department, names)
        out.append(item if shown == item.department else replace(item, department=shown))
    return out


def _department(items: Sequence[Item], name: str) -> str:
    counts = Counter(i.department for i in items if i.department)
    return counts.most_common(1)[0][0] if counts else Path(name).stem


def _missing(known: SourceState, source_errors: Mapping[str, str]) -> str:
    if known.source in source_errors:
        return source_errors[known.source]
    return f"{known.name}: missing from source {known.source} (read in the previous run)"


def _resolve(
    inputs: Inputs, renames: Mapping[str, str]
) -> tuple[
    list[WorkbookView],
    list[SourceState],
    list[tuple[str, str, Blob]],
    list[Problem],
    list[CheckIn],
]:
    """Decide what each workbook shows: fresh read, last good version (stale), or nothing.

    Returns the views, their states, the versions to record, the problems
    found so far and the check-ins of the versions shown.

    A workbook renamed since the previous run (*renames*, old -> new) is not
    expected under its old name: it shows once, fresh, under the new one.
    """
    past, as_of, forget = inputs.past, inputs.as_of, inputs.forget
    problems = [
        make_problem("unreadable", reason, workbook=src)
        for src, reason in inputs.source_errors.items()
    ]
    problems += renamed_problems(renames)
    versions: list[tuple[str, str, Blob]] = []
    gone = forget | set(renames)
    missing = missing_reads(inputs.reads, past.known, inputs.source_errors, gone)
    todo = [r for r in inputs.reads if r.name not in forget] + missing
    views: list[WorkbookView] = []
    states: list[SourceState] = []
    checkins: list[CheckIn] = []
    for r in sorted(todo, key=lambda r: (r.source, r.name)):
        if r.ok:
            digest = r.digest
            stored = (r.name, digest) in past.stored
            versions.append((r.name, digest, None if stored else r.loader()))
            problems.extend(r.table.problems)
            items = r.table.items
            state = SourceState(r.name, r.source, FRESH, digest, digest, as_of)
            views.append(WorkbookView(state, _department(items, r.name), items))
            checkins.extend(r.table.checkins)
            states.append(state)
            continue
        good = past.fallback.get(r.name)
        if good is None or good.table is None:
            message = f"{r.error}; no earlier good version to show"
            problems.append(make_problem("unreadable", message, workbook=r.name))
            state = SourceState(r.name, r.source, FAILED, r.digest, "", None, r.error)
            views.append(WorkbookView(state, Path(r.name).stem))
            states.append(state)
            continue
        message = f"{r.error}; showing the version last read on {good.last_seen:%Y-%m-%d} (stale)"
        problems.append(make_problem("unreadable", message, workbook=r.name))
        problems.extend(good.table.problems)
        state = SourceState(r.name, r.source, STALE, r.digest, good.digest, good.last_seen, r.error)
        table = good.table
        department = _department(table.items, r.name)
        views.append(WorkbookView(state, department, table.items))
        checkins.extend(table.checkins)
        states.append(state)
    return views, states, versions, problems, checkins


def metric_rows(
    items: Sequence[Item],
    owner: Sequence[int],
    views: Sequence[WorkbookView],
    settings: Settings,
    as_of: date,
    sources: Mapping[tuple[str, str], str],
) -> tuple[MetricRow, ...]:
    """Every metric-fed key result with its value, as-of, state and source."""
    out = []
    for index, (item, w) in enumerate(zip(items, owner, strict=True)):
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
            day = item.as_of.date() if isinstance(item.as_of, datetime) else item.as_of
            age = (as_of - day).days
            if age > settings.stale_days:
                state, detail = "stale", f"{age} days old (limit {settings.stale_days})"
            else:
                state, detail = FRESH, ""
        source = sources.get((item.metric, item.period_label), NO_SOURCE)
        out.append(MetricRow(item, index, item.current, item.as_of, state, source, detail))
    return tuple(out)
