"""What one consolidation run found, in the shape the company workbook is written from.

``sync.consolidate.compute`` makes a ``Report``; ``sync.company.book`` writes it. Keeping the
data apart from the writing lets each sheet be tested on a hand-made report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from okr.model import Item, id_key
from okr.problems import ERROR, Problem
from okr.rollup import Score
from okr.schema import STATUSES
from okr.scoring import weighted_mean
from okr.tree import Change, Tree
from sync.run_records import FRESH, SourceState


@dataclass(frozen=True)
class WorkbookView:
    """One department workbook as shown in this run: its recorded state and its rows."""

    record: SourceState
    department: str
    items: tuple[Item, ...] = ()

    @property
    def name(self) -> str:
        """The workbook's name (unique across sources)."""
        return self.record.name

    @property
    def source(self) -> str:
        """The source it came from."""
        return self.record.source

    @property
    def state(self) -> str:
        """``fresh``, ``stale`` (last good version shown) or ``failed`` (nothing to show)."""
        return self.record.state

    @property
    def error(self) -> str:
        """Why it could not be read now ('' when fresh)."""
        return self.record.error

    @property
    def since(self) -> date | None:
        """The last run date the shown version was read fresh."""
        return self.record.since

    @property
    def digest(self) -> str:
        """SHA-256 of the version shown ('' when nothing is shown)."""
        return self.record.used

    @property
    def stale_note(self) -> str:
        """``stale since 2026-11-10`` style label, '' when fresh."""
        if self.state == FRESH:
            return ""
        when = f" since {self.since:%Y-%m-%d}" if self.since else ""
        return f"{self.state}{when}"


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One metric-fed key result: its value, where and when it came from."""

    item: Item
    #: the key result's position in ``Report.items``
    index: int
    value: object
    as_of: datetime | None
    #: ``fresh``, ``stale`` or ``failed``
    state: str
    source: str
    detail: str = ""


@dataclass(frozen=True)
class Trend:
    """Objective progress over the last runs, oldest first, the current run last."""

    dates: tuple[date, ...] = ()
    #: objective ID -> progress per date (None where the row did not exist)
    values: Mapping[str, Sequence[float | None]] = field(default_factory=dict)
    #: objective ID -> notes text per date where its corrective actions changed, else ''
    marks: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DepartmentSummary:
    """A workbook's headline numbers for the dashboard."""

    workbook: str
    department: str
    state: str
    progress: float | None
    statuses: Mapping[str, int]
    rows: int
    errors: int
    warnings: int


@dataclass(frozen=True)
class Report:
    """Everything the company workbook shows about one run."""

    organisation: str
    as_of: date
    started_at: datetime
    workbooks: tuple[WorkbookView, ...]
    #: every item shown, in read order (workbook order, then row)
    items: tuple[Item, ...]
    #: index into ``workbooks`` of each item's workbook
    owner: tuple[int, ...]
    scores: Mapping[str, Score]
    tree: Tree
    hidden: Sequence[bool]
    collapsed: Sequence[bool]
    problems: tuple[Problem, ...]
    metrics: tuple[MetricRow, ...] = ()
    trend: Trend = field(default_factory=Trend)
    changes: tuple[Change, ...] = ()
    previous: date | None = None
    notices: tuple[str, ...] = ()
    #: key results over time (``sync.company.history.HistoryRow``)
    history: tuple = ()
    #: owners whose hand-typed key results need an update (``history.OwnerDue``)
    due: tuple = ()
    #: the records behind metric-fed key results (``sync.company.data.DataBlock``)
    data: tuple = ()

    def departments(self) -> list[DepartmentSummary]:
        """Headline numbers per workbook: progress of its entry objectives, status counts."""
        by_id: dict[str, Item] = {}
        for i in self.items:
            if i.id:
                by_id.setdefault(id_key(i.id), i)
        mine: dict[int, list[Item]] = defaultdict(list)
        for item, w in zip(self.items, self.owner, strict=True):
            mine[w].append(item)
        errors = Counter(p.workbook for p in self.problems if p.severity == ERROR)
        warnings = Counter(p.workbook for p in self.problems if p.severity != ERROR)
        out = []
        for w, view in enumerate(self.workbooks):
            objectives = [i for i in mine[w] if i.is_objective]
            entry = [
                o
                for o in objectives
                if not (
                    id_key(o.parent) in by_id
                    and by_id[id_key(o.parent)].where.workbook == view.name
                )
            ]
            pairs = [
                (o.weight, self.scores[o.id].rolled)
                for o in entry
                if o.id in self.scores and self.scores[o.id].rolled is not None
            ]
            counts = Counter(
                (self.scores[o.id].status if o.id in self.scores else None) or "no status"
                for o in objectives
            )
            out.append(
                DepartmentSummary(
                    view.name,
                    view.department,
                    view.state,
                    weighted_mean(pairs),
                    {s: counts.get(s, 0) for s in (*STATUSES, "no status")},
                    len(mine[w]),
                    errors.get(view.name, 0),
                    warnings.get(view.name, 0),
                )
            )
        return out
