"""The next period: which objectives and key results carry over, and how.

Objectives not yet at 100 % carry over with their unfinished key results;
finished items stay behind unless *everything* is asked for. IDs are kept so
history joins across periods; a carried key result starts from where it got
to (Baseline := last Current, Current and As of empty), and its Notes say
where it came from ("carried from 2026-Q4 at 62 %"). Owners, weights, metric
bindings, parents and shares are kept.

The new period starts clean: an objective whose parent the new period does
not have loses its Parent (``unhook``; the Notes keep the old one), and a row
that would still carry an error stays behind with everything under it
(``under``), unless the caller asks to carry errors.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from okr.model import Item, id_key
from okr.periods import Period
from okr.rollup import Score
from okr.shares import parent_text, parents_of

#: Progress at or above this counts as finished (rounding of 100 %).
DONE = 1 - 1e-9


def _note(item: Item, progress: float | None) -> str:
    shown = "—" if progress is None else f"{progress:.0%}"
    note = f"carried from {item.period_label or 'the last period'} at {shown}"
    return f"{note}; {item.notes}" if item.notes else note


def carry_ids(
    items: Sequence[Item], scores: Mapping[str, Score], *, everything: bool = False
) -> set[str]:
    """IDs of the whole organisation that carry into the next period.

    Unfinished objectives and their unfinished key results carry; so does
    everything a carried row serves (a finished parent, with its objective),
    so no carried objective is left pointing at a row that stayed behind.
    An iterative walk: no recursion, whatever the depth.
    """
    by_id = {i.id: i for i in items if i.id}
    keep: set[str] = set()
    for item in by_id.values():
        if everything or (item.is_objective and _progress(scores, item.id, rolled=True) < DONE):
            keep.add(item.id)
    for item in by_id.values():
        if item.is_key_result and item.parent in keep:
            p = _value(scores, item.id, rolled=False)
            if p is None or p < DONE:
                keep.add(item.id)
    todo = list(keep)
    while todo:
        item = by_id.get(todo.pop())
        if item is None:
            continue
        for parent_id, _ in parents_of(item):
            if parent_id in by_id and parent_id not in keep:
                keep.add(parent_id)
                todo.append(parent_id)
    return keep


def carried(items: Sequence[Item], scores: Mapping[str, Score], to: Period,
            keep: set[str]) -> list[Item]:  # fmt: skip
    """The rows of *items* whose IDs are in *keep* (``carry_ids``), moved into period *to*."""
    out = []
    for item in items:
        if item.id not in keep:
            continue
        if item.is_objective:
            p = _value(scores, item.id, rolled=True)
            out.append(replace(item, period=to, period_label=to.label, notes=_note(item, p)))
        elif item.is_key_result:
            p = _value(scores, item.id, rolled=False)
            numeric = isinstance(item.current, int | float) and not isinstance(item.current, bool)
            out.append(
                replace(
                    item,
                    period=to,
                    period_label=to.label,
                    baseline=float(item.current) if numeric else item.baseline,  # type: ignore[arg-type]
                    current=None,
                    as_of=None,
                    metric_state="",
                    notes=_note(item, p),
                )
            )
    return out


def unhook(
    items: Sequence[Item], known: Collection[str], to: Period
) -> tuple[list[Item], list[tuple[str, str]]]:
    """*items* with the Parent cleared on each objective that serves an ID not in *known*.

    *known* holds the ``id_key`` of every ID the new period has (the rows
    rolled over together and the ``--parents`` workbooks). Such an objective
    carries as not yet aligned, to choose its parent from the new dropdown,
    instead of pointing at a row that is gone. Returns the rows and, per
    unhooked objective, ``(ID, old Parent text)``.
    """
    out: list[Item] = []
    unhooked: list[tuple[str, str]] = []
    for item in items:
        parents = parents_of(item)
        if item.is_objective and any(id_key(p) not in known for p, _ in parents):
            old = parent_text(item) or ""
            note = f"Parent {old} is not in {to.label}: choose one"
            notes = f"{note}; {item.notes}" if item.notes else note
            item = replace(item, parent=None, shares=(), notes=notes)
            unhooked.append((item.id or "", old))
        out.append(item)
    return out, unhooked


def under(items: Sequence[Item], ids: Collection[str]) -> set[str]:
    """*ids* and the IDs of every row that serves one of them, however deep.

    An iterative walk over the rows' parents, so a long cascade needs no
    recursion.
    """
    children: dict[str, list[str]] = {}
    for item in items:
        for parent_id, _ in parents_of(item):
            if item.id:
                children.setdefault(id_key(parent_id), []).append(item.id)
    found = set(ids)
    todo = list(found)
    while todo:
        for child in children.get(id_key(todo.pop()), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _value(scores: Mapping[str, Score], item_id: str, *, rolled: bool) -> float | None:
    s = scores.get(item_id)
    if s is None:
        return None
    return s.rolled if rolled else s.progress


def _progress(scores: Mapping[str, Score], item_id: str, *, rolled: bool) -> float:
    value = _value(scores, item_id, rolled=rolled)
    return 0.0 if value is None else value
