"""Scores of every item: key-result progress, objective progress, roll-up, status.

An objective's *own* progress is the weighted mean of its key results, the
number its sheet shows. Its *rolled-up* progress also averages the objectives
that align to it, as ``Settings.rollup_mode`` says:

- ``krs``: own key results only (the sheet's number);
- ``children``: aligned objectives only, falling back to own key results for
  an objective nothing aligns to;
- ``both`` (default): own key results and aligned objectives together, each
  weighted by its Weight.

Objectives that align to a key result are shown under it but do not change
it: a key result is measured, not averaged. An objective serving several
parents counts in each parent's mean with its Weight times its share there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from okr.model import Item
from okr.scoring import achievement, clamp, weighted_mean
from okr.settings import Settings
from okr.shares import aligned_children
from okr.status import status


@dataclass(frozen=True, slots=True)
class Score:
    """The numbers of one item on one evaluation date."""

    id: str
    #: unclamped achievement of a key result (None for objectives)
    achievement: float | None
    #: own progress: the key result's clamped score, or the objective's KR mean
    progress: float | None
    #: progress after roll-up over aligned objectives
    rolled: float | None
    status: str | None


def score_all(
    items: Sequence[Item], on: date, settings: Settings | None = None
) -> dict[str, Score]:
    """Score every item with an ID; status uses the rolled-up progress."""
    s = settings or Settings()
    by_id = {i.id: i for i in items if i.id}
    krs: dict[str, list[Item]] = defaultdict(list)
    for item in by_id.values():
        if item.is_key_result and item.parent and item.parent in by_id:
            krs[item.parent].append(item)
    children = aligned_children(by_id)

    # Key results first: each one's progress is its score, what objectives average.
    scores: dict[str, Score] = {}
    for item_id, item in by_id.items():
        if item.is_key_result:
            got = achievement(item.direction, item.baseline, item.target, item.current)
            value = clamp(got)
            scores[item_id] = Score(item_id, got, value, value, status(value, item.period, on, s))
    #: objective ID -> the weighted mean of its key results' progress
    own: dict[str, float | None] = {
        item.id: weighted_mean((k.weight, scores[k.id].progress) for k in krs[item.id])
        for item in by_id.values()
        if item.is_objective
    }
    roll = _Roller(by_id, krs, children, own, scores, s.rollup_mode)
    for item_id, item in by_id.items():
        if not item.is_key_result:
            value = roll(item_id)
            scores[item_id] = Score(
                item_id, None, own.get(item_id), value, status(value, item.period, on, s)
            )
    return scores


class _Roller:
    """Rolled-up progress of each objective, computed once; a loop of parents stops."""

    def __init__(
        self,
        by_id: dict[str, Item],
        krs: dict[str, list[Item]],
        children: dict[str, list[tuple[Item, float]]],
        own: dict[str, float | None],
        kr_scores: dict[str, Score],
        mode: str,
    ) -> None:
        self.by_id, self.krs, self.children, self.own, self.mode = by_id, krs, children, own, mode
        self.kr_scores = kr_scores
        self.rolled: dict[str, float | None] = {}
        self.visiting: set[str] = set()

    def __call__(self, item_id: str) -> float | None:
        # A chain of parents is as deep as the sheets make it: the walk keeps its
        # own stack, children before parents. An objective met again while its
        # subtree is summed is in a loop: it counts with its own progress there.
        # Only objectives are rolled up (and kept): anything else is its own progress.
        if not self.by_id[item_id].is_objective:
            return self.own.get(item_id)
        stack = [item_id]
        while stack:
            key = stack[-1]
            if key in self.rolled:
                stack.pop()
                continue
            kids = self.children[key]
            if key not in self.visiting:
                self.visiting.add(key)
                stack.extend(
                    c.id
                    for c, _ in reversed(kids)
                    if c.is_objective and c.id not in self.rolled and c.id not in self.visiting
                )
                continue
            stack.pop()
            values = [
                (c.weight * share, self.rolled[c.id] if c.id in self.rolled else self.own.get(c.id))
                for c, share in kids
            ]
            values = [(w, p) for w, p in values if p is not None]
            mine = [(k.weight, self.kr_scores[k.id].progress) for k in self.krs[key]]
            if self.mode == "krs" or not values:
                value = self.own[key]
            elif self.mode == "children":
                value = weighted_mean(values)
            else:
                value = weighted_mean([*mine, *values])
            self.visiting.discard(key)
            self.rolled[key] = value
        return self.rolled[item_id]
