"""The History sheet: each key result's values over time, and who needs to update what.

Points come from the check-in log (hand-typed key results) and the metric
values in the store (metric-fed ones); the nightly runs give its progress run
by run and mark the days its Notes (its corrective action) changed, as Trend
does for objectives.
The Current in the OKRs sheet and the latest check-in are shown side by side:
they may differ (the row wins).
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from okr.checkins import CheckIn
from okr.model import Item
from okr.rollup import Score
from sync.company.style import FIRST

if TYPE_CHECKING:
    from sync.company.book import Book

#: Value columns of the sheet: the latest points of each key result.
POINTS = 12


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One key result's history."""

    #: position of the key result in ``Report.items`` (its Metric says what feeds it)
    index: int
    #: day, value, day, value... oldest first, at most ``POINTS`` of each (``points``)
    flat_points: tuple[date | float, ...]
    #: day (None: no check-in) and value of the latest check-in; the log is let go
    last_on: date | None
    last_value: float | str | None
    confidence: float | None
    #: latest confidence minus the one before it (check-ins with a confidence)
    confidence_change: float | None
    #: run dates on which the key result's Notes changed
    notes_changed: tuple[date, ...] = ()
    #: its progress in each of the last nightly runs, oldest first (None: not in that run)
    runs: tuple[float | None, ...] = ()

    @property
    def points(self) -> tuple[tuple[date, float], ...]:
        """(day, value) pairs, oldest first."""
        return _pairs(self.flat_points)

    @property
    def last_checkin(self) -> tuple[date | None, float | str | None] | None:
        """(day, value) of the latest check-in, or None."""
        return None if self.last_on is None else (self.last_on, self.last_value)


def _pairs(flat: Sequence) -> tuple[tuple, ...]:
    """``(a, b, c, d)`` as ``((a, b), (c, d))``: points are kept flat, a tuple less each."""
    return tuple(zip(flat[::2], flat[1::2], strict=True))


def _flat(points: Iterable[tuple]) -> tuple:
    return tuple(x for point in points for x in point)


@dataclass(frozen=True)
class OwnerDue:
    """An owner whose hand-typed key results need an update."""

    owner: str
    stale: int
    never: int
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Logged:
    """What the check-in log says of one ID, all the History sheet needs of it."""

    #: day, value, day, value... of its numeric check-ins up to today, oldest first, one a day
    flat_points: tuple[date | float, ...]
    #: day and value of its latest check-in
    last_on: date
    last_value: float | str | None
    #: its latest confidence, and that minus the one before (check-ins with a confidence)
    confidence: float | None
    change: float | None


def logged(checkins: Iterable[CheckIn], as_of: date) -> dict[str, Logged]:
    """Each ID's check-ins up to *as_of*, summed up for ``history_rows``.

    The run lets the log go once this is made: the History sheet is written
    from these few values, not from every check-in's row.
    """
    by_id: dict[str, list[CheckIn]] = defaultdict(list)
    for c in checkins:
        if c.on is not None and c.on <= as_of:
            by_id[c.id].append(c)
    out: dict[str, Logged] = {}
    for item_id, found in by_id.items():
        # Sorted as ``latest`` picks: the last is the latest (a later row wins a tie).
        mine = sorted(found, key=lambda c: (c.on, c.row))
        day_values: dict[date, float] = {}
        for c in mine:
            if isinstance(c.value, float):
                day_values[c.on] = c.value
        rated = [c.confidence for c in mine if c.confidence is not None]
        out[item_id] = Logged(
            _flat(sorted(day_values.items())),
            mine[-1].on,
            mine[-1].value,
            rated[-1] if rated else None,
            rated[-1] - rated[-2] if len(rated) > 1 else None,
        )
    return out


def history_rows(
    items: Sequence[Item],
    scores: Mapping[str, Score],
    logs: Mapping[str, Logged],
    metric_points: Mapping[str, Sequence[tuple[date, float]]],
    runs: Sequence[tuple[date, Mapping[str, tuple[str, float | None]]]],
    as_of: date,
    order: Sequence[int] | None = None,
) -> tuple[HistoryRow, ...]:
    """One row per key result with an ID, in *order* (positions in *items*; default read order).

    *logs* is ``logged(checkins, as_of)``. *runs* holds, per earlier nightly run oldest first,
    the Notes and progress of every key result as that run saw them; this run's are the
    item's Notes and its progress in *scores*.
    """
    out = []
    seen: set[str] = set()
    for index in range(len(items)) if order is None else order:
        item = items[index]
        if not item.is_key_result or not item.id or item.id in seen:
            continue
        seen.add(item.id)
        log = logs.get(item.id)
        if item.metric:
            day_values = dict(_pairs(log.flat_points)) if log is not None else {}
            for day, value in metric_points.get(item.metric, ()):
                if day <= as_of:
                    day_values[day] = value
            points = _flat(sorted(day_values.items())[-POINTS:])
        else:
            points = log.flat_points[-2 * POINTS :] if log is not None else ()
        if log is not None and log.confidence is not None:
            confidence = log.confidence
        else:
            confidence = item.confidence
        change = log.change if log is not None else None
        score = scores.get(item.id)
        seen_runs = [(day, got.get(item.id)) for day, got in runs]
        seen_runs.append((as_of, (item.notes or "", score.rolled if score else None)))
        changed = tuple(
            seen_runs[k][0]
            for k in range(1, len(seen_runs))
            if seen_runs[k][1] is not None
            and seen_runs[k - 1][1] is not None
            and seen_runs[k][1][0] != seen_runs[k - 1][1][0]
        )
        progress = tuple(got[1] if got else None for _, got in seen_runs)
        on, value = (log.last_on, log.last_value) if log is not None else (None, None)
        out.append(HistoryRow(index, points, on, value, confidence, change, changed, progress))
    return tuple(out)


def owners_due(items: Sequence[Item], due: Mapping[str, date | None]) -> tuple[OwnerDue, ...]:
    """Owners of hand-typed key results that are stale or never updated, most first."""
    stale: Counter[str] = Counter()
    never: Counter[str] = Counter()
    ids: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.id in due and item.id not in ids.get(item.owner or "(no owner)", ()):
            who = item.owner or "(no owner)"
            (never if due[item.id] is None else stale)[who] += 1
            ids[who].append(item.id)
    order = sorted(ids, key=lambda w: (-(stale[w] + never[w]), w))
    return tuple(OwnerDue(w, stale[w], never[w], tuple(ids[w])) for w in order)


#: (heading key, width) of the History sheet (headings: ``sync.company.words``).
COLUMNS = (
    ("id", 16),
    ("title", 44),
    ("department", 14),
    ("owner", 24),
    ("fed_by", 20),
    ("current", 12),
    ("latest_checkin", 14),
    ("checked_on", 12),
    ("confidence", 11),
    ("confidence_change", 11),
    ("trend", 18),
    ("notes_changed_on", 22),
    ("dates", 30),
    ("progress_by_run", 30),
)


def write_history(book: Book) -> None:
    """Key results with their latest points, a sparkline, confidence and notes changes."""
    r = book.report
    f, w = book.f, book.w
    cols = [(w.heading(key), width) for key, width in COLUMNS]
    cols += [(f"{k + 1}", 10) for k in range(POINTS)]
    note = w["history_note"].format(
        checkins=w.template_sheet("checkins"), okrs=w.template_sheet("okrs"), points=POINTS
    )
    title = w["history_title"].format(as_of=f"{r.as_of:%Y-%m-%d}")
    ws = book.add_sheet(w.sheet("history"), title, note, cols)
    first_point = len(COLUMNS)
    spark = COLUMNS.index(("trend", 18))
    fed_by_checkins = w["fed_by_checkins"]
    row = FIRST
    sparks = array("l")  # the rows with a sparkline: the strings are made when written
    num, pct, mark = f["num"], f["pct"], f["mark"]
    put = ws.write_cells
    for h in r.history:
        item = r.items[h.index]
        book.link_or_text(ws, row, 0, book.item_link(h.index), item.id)
        cells: list = [
            (1, item.title, None),
            (2, item.department or book.state_of(h.index).department, None),
            (3, item.owner, None),
            (
                4,
                w["fed_by_metric"].format(metric=item.metric) if item.metric else fed_by_checkins,
                None,
            ),
        ]
        add = cells.append
        current = item.current
        if isinstance(current, int | float) and not isinstance(current, bool):
            add((5, float(current), num))
        elif current not in (None, ""):
            add((5, str(current), None))
        if h.last_checkin is not None:
            on, value = h.last_checkin
            if isinstance(value, float):
                add((6, value, num))
            elif value is not None:
                add((6, str(value), None))
            add((7, on.isoformat() if on else "", None))
        if h.confidence is not None:
            add((8, h.confidence, pct))
        if h.confidence_change is not None:
            add((9, h.confidence_change, mark if h.confidence_change < 0 else pct))
        if h.notes_changed:
            add((11, ", ".join(d.isoformat() for d in h.notes_changed), mark))
        if h.points:
            add((12, ", ".join(d.isoformat() for d, _ in h.points), None))
        if any(p is not None for p in h.runs):
            shown = " → ".join("—" if p is None else f"{p:.0%}" for p in h.runs)
            add((13, shown, None))
            for k, (_, value) in enumerate(h.points):
                add((first_point + k, value, num))
            sparks.append(row)
        put(row, [cell for cell in cells if cell[1] != ""])
        row += 1
    ws.add_row_sparklines(
        sparks, spark, first_point, first_point + POINTS - 1,
        {"markers": True, "empty_cells": "gaps"},
    )  # fmt: skip


def write_owners_due(book: Book, ws, row: int) -> int:
    """The Dashboard's list of owners whose key results need an update; returns the next row."""
    due = book.report.due
    f, w = book.f, book.w
    ws.write_string(row, 0, w["owners_due"], f["bold"])
    row += 1
    if not due:
        ws.write_string(row, 0, w["owners_none"])
        return row + 1
    for c, key in enumerate(("owner", "stale", "never_updated", "key_results")):
        ws.write_string(row, c, w.heading(key), f["header"])
    for d in due:
        row += 1
        ws.write_string(row, 0, d.owner)
        ws.write_number(row, 1, d.stale)
        ws.write_number(row, 2, d.never)
        ws.write_string(row, 3, ", ".join(d.ids))
    return row + 1
