"""What a run records of each row of the tree, and the Trend drawn from those records.

``node_records`` gives one ``NodeRecord`` per tree row (a shared objective
once); the store keeps them, Changes compares them with the previous run's,
and ``trend`` adds this run's objectives to the earlier runs' points.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date

from okr.model import Item
from okr.rollup import Score
from okr.shares import parent_text
from okr.tree import Tree
from sync.company.report import Trend, WorkbookView
from sync.run_records import NodeRecord, RunInfo


def trend(
    runs: Sequence[RunInfo],
    earlier: Mapping[int, Mapping[str, tuple[float | None, str]]],
    nodes: Iterable[NodeRecord],
    as_of: date,
) -> Trend:
    """Objective progress over the past *runs* and this one, with action-change marks.

    *earlier* holds, per run id, each objective's (progress, actions) in that run.
    """
    dates = (*(r.as_of for r in runs), as_of)
    values: dict[str, list[float | None]] = {}
    marks: dict[str, list[str]] = {}
    for node in nodes:
        if node.kind != "objective" or node.id in values:
            continue
        points = [earlier.get(r.id, {}).get(node.id) for r in runs]
        values[node.id] = [p[0] if p else None for p in points] + [node.progress]
        acts: list[str | None] = [p[1] if p else None for p in points] + [node.actions]
        marks[node.id] = [
            (acts[k] or "(notes cleared)")
            if k > 0 and acts[k] is not None and acts[k - 1] is not None and acts[k] != acts[k - 1]
            else ""
            for k in range(len(acts))
        ]
    return Trend(dates, values, marks)


def node_records(
    tree: Tree,
    items: Sequence[Item],
    scores: Mapping[str, Score],
    views: Sequence[WorkbookView],
    owner: Sequence[int],
) -> Iterator[NodeRecord]:
    """One record per tree row (the Unaligned branch row excluded), in tree order, as made."""
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
        yield NodeRecord(
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
