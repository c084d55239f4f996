"""The states and records of a consolidation run, shared by the run, the store and the report."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from okr.problems import Problem

#: ``callback(stage, done, total)``: what a long job reports as it goes.
Progress = Callable[[str, int, int], None]

FRESH, STALE, FAILED = "fresh", "stale", "failed"

#: A workbook version's bytes: given, None (the store has them), or read when needed.
Blob = bytes | Callable[[], bytes | None] | None


@dataclass(frozen=True, slots=True)
class SourceState:
    """One workbook of a run: where it came from and which version was shown."""

    name: str
    source: str
    state: str
    #: hash of what was read this run ('' when nothing could be read)
    digest: str = ""
    #: hash of the version shown (the fresh one, or the last good one when stale)
    used: str = ""
    #: the last run date the shown version was read fresh
    since: date | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """One row of the tree as a run saw it."""

    id: str
    kind: str | None
    parent: str | None
    up: str | None
    depth: int
    department: str
    workbook: str
    title: str
    progress: float | None
    own: float | None
    status: str | None
    notes: str = ""
    #: an objective's notes and its key results' notes together (its corrective actions)
    actions: str = ""


@dataclass(frozen=True)
class Version:
    """A good version of a workbook kept in the store."""

    name: str
    digest: str
    data: bytes
    first_seen: date
    last_seen: date


@dataclass(frozen=True)
class RunRecord:
    """Everything one run writes to the store."""

    as_of: date
    started_at: datetime
    finished_at: datetime
    organisation: str
    output: str
    sources: Sequence[SourceState]
    #: read once, in order (a generator, so a big run never holds them all)
    nodes: Iterable[NodeRecord]
    problems: Sequence[Problem]
    #: (name, digest, bytes) of every workbook read fresh; see ``Blob``
    versions: Sequence[tuple[str, str, Blob]] = ()
    #: (old name, new name) of each workbook renamed since the previous run
    renames: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class RunInfo:
    """A recorded run."""

    id: int
    as_of: date
    started_at: datetime
    finished_at: datetime
    output: str
    workbooks: int
    stale: int
    failed: int
    errors: int
    warnings: int
