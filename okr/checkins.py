"""The check-in log: dated values of key results, their history and freshness.

Each department workbook has a ``Check-ins`` sheet (date, key result ID,
value, confidence, note; headers in English or Chinese). For a key result
typed by hand (no Metric) the latest check-in date is its as-of: no check-in
for ``Settings.checkin_days`` is a ``stale`` warning. A check-in naming an
unknown ID, dated in the future, or whose value is not a number (for a key
result that is not a milestone) is a ``checkin`` warning at its cell. The
Current in the OKR sheet always wins over the log; the log is history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from sys import intern

from okr.cells import shared
from okr.model import Item
from okr.problems import Problem, item_problem, make_problem
from okr.reading import as_date, parse_number
from okr.schema import SHEET_NAMES, column_letter, normalise
from okr.settings import Settings

#: Sheet names accepted for the log (compared after normalising).
CHECKIN_SHEETS = (
    *SHEET_NAMES["checkins"].values(),
    "checkins",
    "check ins",
    "check-in",
    "签到",
    "跟进记录",
)
#: Column key -> header words in every language (the template writes the first two).
CHECKIN_HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("Date", "日期", "when", "check-in date"),
    "id": ("Key result ID", "关键结果编号", "ID", "key result", "kr", "kr id", "编号"),
    "value": ("Value", "数值", "current", "值"),
    "confidence": ("Confidence", "信心"),
    "note": ("Note", "说明", "notes", "comment", "备注"),
}
_HEADER_INDEX = {normalise(w): k for k, words in CHECKIN_HEADERS.items() for w in words}
#: How many rows from the top may hold the header row of the log.
_HEADER_ROWS = 10


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One row of the log."""

    on: date | None
    id: str
    #: a number, or the text typed (a milestone's "done", or a mistake)
    value: float | str | None
    confidence: float | None
    note: str
    workbook: str
    sheet: str
    row: int
    #: column letters of date, id, value, confidence, note in this sheet
    letters: tuple[tuple[str, str], ...] = ()

    def cell(self, key: str) -> str:
        """A1 reference of column *key* of this row."""
        return f"{dict(self.letters).get(key, 'A')}{self.row}"


def is_checkin_sheet(name: str) -> bool:
    """True when a sheet name is the check-in log's in any accepted spelling."""
    return normalise(name) in {normalise(s) for s in CHECKIN_SHEETS}


def _warn(c: CheckIn, key: str, message: str) -> Problem:
    return make_problem(
        "checkin", message, id=c.id, workbook=c.workbook, sheet=c.sheet, cell=c.cell(key)
    )


def read_checkins(
    grid: Sequence[Sequence[object]], workbook: str, sheet: str
) -> tuple[tuple[CheckIn, ...], tuple[Problem, ...]]:
    """The check-ins of a log sheet's cell grid, and warnings for rows it cannot read.

    A grid without a recognisable header (no date and ID columns) gives
    nothing: the log is optional.
    """
    header, cols = -1, {}
    for r, row in enumerate(grid[:_HEADER_ROWS]):
        found = {}
        for c, value in enumerate(row):
            key = _HEADER_INDEX.get(normalise(value)) if isinstance(value, str) else None
            if key and key not in found:
                found[key] = c
        if "date" in found and "id" in found:
            header, cols = r, found
            break
    if header < 0:
        return (), ()
    letters = tuple((k, column_letter(c)) for k, c in cols.items())
    out: list[CheckIn] = []
    problems: list[Problem] = []
    days: dict[date, date] = {}
    numbers: dict[object, float] = {}
    for r in range(header + 1, len(grid)):
        row = grid[r]
        cells = {k: (row[c] if c < len(row) else None) for k, c in cols.items()}
        cells = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in cells.items()}
        if all(v is None for v in cells.values()):
            continue
        raw_id = cells.get("id")
        item_id = str(int(raw_id) if isinstance(raw_id, float) and raw_id.is_integer() else raw_id)
        # One string per ID (as in the OKR table), one object per day:
        # a big organisation logs hundreds of thousands of check-ins.
        item_id = "" if raw_id is None else intern(item_id.split()[0])
        raw_value = cells.get("value")
        value: float | str | None
        try:
            value = parse_number(raw_value)
        except ValueError:
            value = str(raw_value)
        try:
            confidence = parse_number(cells.get("confidence"))
        except ValueError:
            confidence = None
        if confidence is not None and 1 < confidence <= 100:
            confidence /= 100
        raw_date = cells.get("date")
        try:
            on = None if raw_date is None else as_date(raw_date)
            on = on if on is None else days.setdefault(on, on)
        except (ValueError, OverflowError):
            on = None
        if isinstance(value, float):
            value = shared(numbers, value)
        # One object per row: a big organisation logs hundreds of thousands of check-ins.
        entry = CheckIn(
            on, item_id, value, shared(numbers, confidence), str(cells.get("note") or ""),
            workbook, sheet, r + 1, letters,
        )  # fmt: skip
        if on is None:
            shown = "empty" if raw_date is None else f"'{raw_date}'"
            problems.append(
                _warn(entry, "date", f"check-in date is {shown}: type the date as 2026-11-20")
            )
            continue
        out.append(entry)
    return tuple(out), tuple(problems)


def checkin_problems(
    checkins: Iterable[CheckIn], items: Iterable[Item], today: date
) -> list[Problem]:
    """``checkin`` warnings: unknown IDs, future dates, non-numbers for a number result."""
    by_id = {i.id: i for i in items if i.id}
    out: list[Problem] = []
    for c in checkins:
        item = by_id.get(c.id)
        if not c.id:
            out.append(_warn(c, "id", "check-in has no key result ID: type the ID it belongs to"))
            continue
        if item is None or not item.is_key_result:
            what = "no key result" if item is None else "an objective, not a key result"
            out.append(
                _warn(
                    c,
                    "id",
                    f"check-in names {c.id}, {what}: use the ID of a key result in the OKRs sheet",
                )
            )
            continue
        if c.on is not None and c.on > today:
            out.append(
                _warn(
                    c,
                    "date",
                    f"check-in of {c.id} is dated {c.on:%Y-%m-%d}, in the future: "
                    "type the day the value was measured",
                )
            )
        if item.direction != "milestone" and isinstance(c.value, str):
            out.append(
                _warn(
                    c,
                    "value",
                    f"check-in value '{c.value}' of {c.id} is not a number: type a plain number",
                )
            )
    return out


def latest(checkins: Iterable[CheckIn], today: date | None = None) -> dict[str, CheckIn]:
    """The latest check-in of each ID (a later row wins a tie), ignoring future dates."""
    out: dict[str, CheckIn] = {}
    for c in checkins:
        if c.on is None or (today is not None and c.on > today):
            continue
        was = out.get(c.id)
        if was is None or (c.on, c.row) >= (was.on, was.row):
            out[c.id] = c
    return out


def needs_update(
    items: Iterable[Item],
    last: Mapping[str, CheckIn],
    settings: Settings | None = None,
    today: date | None = None,
) -> dict[str, date | None]:
    """Hand-typed key results due an update: ID -> last check-in date (None: never).

    Only key results whose period has started count; a metric-fed key result
    has its own freshness (``okr.cascade``).
    """
    s = settings or Settings()
    today = today or date.today()
    out: dict[str, date | None] = {}
    for item in items:
        if not item.is_key_result or item.metric or not item.id:
            continue
        if item.period is not None and item.period.start > today:
            continue
        seen = last.get(item.id)
        if seen is None:
            out[item.id] = None
        elif seen.on is not None and (today - seen.on).days > s.checkin_days:
            out[item.id] = seen.on
    return out


def stale_problems(
    items: Sequence[Item],
    due: Mapping[str, date | None],
    settings: Settings | None = None,
    today: date | None = None,
) -> list[Problem]:
    """``stale`` warnings for hand-typed key results whose last check-in is too old.

    *due* is what ``needs_update`` found. A key result never checked in is
    not warned (a department need not keep the log); the Dashboard lists it
    as never updated.
    """
    s = settings or Settings()
    today = today or date.today()
    out: list[Problem] = []
    # One message per day last updated, not per key result (the problem names the
    # ID): a big organisation has tens of thousands of these.
    messages: dict[date, str] = {}
    for item in items:
        when = due.get(item.id)
        if when is None:
            continue
        message = messages.get(when)
        if message is None:
            message = messages[when] = (
                f"last updated on {when:%Y-%m-%d}, {(today - when).days} days ago "
                f"(limit {s.checkin_days}): add a check-in with its current value"
            )
        out.append(item_problem("stale", item, "current", message))
    return out


def check_log(
    items: Sequence[Item],
    checkins: Sequence[CheckIn],
    settings: Settings | None = None,
    today: date | None = None,
    due: Mapping[str, date | None] | None = None,
) -> list[Problem]:
    """Every check-in problem of an organisation: ``checkin`` and check-in ``stale``.

    *due* is ``needs_update`` of the same items and log when the caller has it already.
    """
    today = today or date.today()
    if due is None:
        due = needs_update(items, latest(checkins, today), settings, today)
    return [
        *checkin_problems(checkins, items, today),
        *stale_problems(items, due, settings, today),
    ]
