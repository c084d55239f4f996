"""The cascade rules: does every objective serve a real parent, with sane targets?

``check`` looks at the whole organisation at once (every workbook's items),
so parents in other workbooks and duplicate IDs across files are found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from okr.departments import department_problems
from okr.model import Item, id_key
from okr.problems import Problem, item_problem, sort_key
from okr.schema import normalise
from okr.settings import Settings
from okr.shares import share_problems
from okr.units import scale_problems


def _at(item: Item) -> str:
    return f"{item.where.workbook} {item.where.cell()}".strip()


def check(
    items: Sequence[Item],
    settings: Settings | None = None,
    *,
    today: date | None = None,
    metrics: Mapping[str, str] | None = None,
    context: Iterable[Item] = (),
    departments: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Check *items* as one organisation and return every problem found, sorted.

    *context* holds items of other levels (the company workbook, the level
    above) that parents may point to but whose own problems are not reported.
    *metrics* maps each registry metric to its unit; when None, metric names
    and units are not checked. *departments* maps department codes to names
    (``[departments.CODE] name``). *today* is the evaluation date for staleness.
    """
    s = settings or Settings()
    today = today or date.today()
    found: list[Problem] = []
    # Keyed by id_key: IDs that differ only by case are the same ID.
    known: dict[str, Item] = {id_key(i.id): i for i in context if i.id}
    first: dict[str, Item] = {}
    #: every row of each ID used more than once
    same: dict[str, list[Item]] = {}
    for item in items:
        if item.id:
            key = id_key(item.id)
            seen = first.setdefault(key, item)
            if seen is not item:
                same.setdefault(key, [seen]).append(item)
    known.update(first)
    del first

    found += _duplicates(same)
    found += _parents(items, known, s)
    found += _cycles(items, known)
    found += _targets(items)
    found += _krs_per_objective(items, s)
    found += _objectives_per_owner(items, s)
    found += _owners(items)
    found += _metrics(items, metrics, s, today)
    found += share_problems(items, known)
    found += scale_problems(items)
    found += department_problems(items, departments)
    return sorted(found, key=sort_key)


def _duplicates(by_id: Mapping[str, list[Item]]) -> list[Problem]:
    out = []
    for same in by_id.values():
        if len(same) < 2:
            continue
        for item in same:
            others = ", ".join(
                _at(o) + ("" if o.id == item.id else f" as {o.id}") for o in same if o is not item
            )
            note = "" if all(o.id == item.id for o in same) else " (IDs ignore case)"
            out.append(
                item_problem(
                    "duplicate-id",
                    item,
                    "id",
                    f"ID {item.id} is also used at {others}{note}: give each row its own ID",
                )
            )
    return out


def _parents(items: Sequence[Item], known: Mapping[str, Item], s: Settings) -> list[Problem]:
    out = []
    top = normalise(s.top_level)
    for item in items:
        parent = known.get(id_key(item.parent)) if item.parent else None
        if item.is_key_result:
            if not item.parent:
                out.append(
                    item_problem(
                        "kr-parent",
                        item,
                        "parent",
                        f"key result {item.id} has no Parent: enter the ID of the objective "
                        "it measures",
                    )
                )
            elif parent is not None and not parent.is_objective:
                out.append(
                    item_problem(
                        "kr-parent",
                        item,
                        "parent",
                        f"Parent {item.parent} of key result {item.id} is not an objective: "
                        "a key result's Parent must be its objective's ID",
                    )
                )
        elif item.is_objective and not item.parent and normalise(item.department) != top:
            out.append(
                item_problem(
                    "orphan",
                    item,
                    "parent",
                    f"objective {item.id} serves nothing: choose the objective or key result "
                    "one level up that it supports",
                )
            )
        if item.parent and parent is None:
            out.append(
                item_problem(
                    "unknown-parent",
                    item,
                    "parent",
                    f"Parent {item.parent} of {item.id} exists in no workbook checked: fix the ID "
                    "or pass the parent's workbook with --parents",
                )
            )
        elif (
            parent is not None
            and item.period
            and parent.period
            and not parent.period.contains(item.period)
        ):
            out.append(
                item_problem(
                    "period",
                    item,
                    "period",
                    f"period {item.period.label} of {item.id} lies outside its parent "
                    f"{parent.id}'s period {parent.period.label}: align the periods",
                )
            )
    return out


def _cycles(items: Sequence[Item], known: Mapping[str, Item]) -> list[Problem]:
    """One problem per loop of parents, at its first row; linear in the number of rows.

    Each row's chain of parents is walked once: a walk stops at a row an
    earlier walk already settled, so a 10,000-row loop costs 10,000 steps.
    """
    out = []
    done: set[str] = set()
    order: dict[str, Item] = {}
    for item in items:
        order.setdefault(id_key(item.id), item)
    rank = {k: n for n, k in enumerate(order)}
    for item in items:
        path: list[str] = []
        on_path: dict[str, int] = {}
        key = id_key(item.id)
        while key and key not in done and key not in on_path:
            on_path[key] = len(path)
            path.append(key)
            node = known.get(key)
            key = id_key(node.parent) if node is not None and node.parent else ""
        if key in on_path:
            loop = path[on_path[key] :]
            head = min((k for k in loop if k in order), key=rank.__getitem__, default="")
            first = order.get(head)
            members = [known[k].id for k in loop]
            if first is not None and first.id:
                start = members.index(first.id) if first.id in members else 0
                shown = [*members[start:], *members[:start], first.id]
                out.append(
                    item_problem(
                        "cycle",
                        first,
                        "parent",
                        f"{first.id} is part of a loop of parents ({_loop_text(shown)}): point "
                        "one of them to a parent one level up",
                    )
                )
        done.update(path)
    return out


def _loop_text(ids: list[str], limit: int = 8) -> str:
    if len(ids) <= limit:
        return " → ".join(ids)
    return (
        " → ".join(ids[: limit - 2]) + f" → … ({len(ids) - limit} more) → " + " → ".join(ids[-2:])
    )


def _targets(items: Sequence[Item]) -> list[Problem]:
    out = []
    for item in items:
        if not item.is_key_result or item.direction in (None, "milestone"):
            continue
        b, t = item.baseline, item.target
        base = 0.0 if b is None else b
        if "target" in item.unread or "baseline" in item.unread:
            continue  # already reported at its cell: one mistake, one message
        if t is None:
            out.append(
                item_problem(
                    "target",
                    item,
                    "target",
                    f"key result {item.id} has no Target: enter the number to reach",
                )
            )
        elif item.direction == "increase" and not t > base:
            out.append(
                item_problem(
                    "target",
                    item,
                    "target",
                    f"Target {t:g} of {item.id} is not above its Baseline {base:g} for an "
                    "'increase': raise the target or choose 'decrease'",
                )
            )
        elif item.direction == "decrease" and not t < base:
            out.append(
                item_problem(
                    "target",
                    item,
                    "target",
                    f"Target {t:g} of {item.id} is not below its Baseline {base:g} for a "
                    "'decrease': lower the target or choose 'increase'",
                )
            )
    return out


def _krs_per_objective(items: Sequence[Item], s: Settings) -> list[Problem]:
    krs: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.is_key_result and item.parent:
            krs[id_key(item.parent)].append(item)
    out = []
    for item in items:
        if not item.is_objective:
            continue
        mine = krs.get(id_key(item.id), [])
        if not mine:
            out.append(
                item_problem(
                    "no-krs",
                    item,
                    "id",
                    f"objective {item.id} has no key results: add 1 to "
                    f"{s.max_krs_per_objective} measurable key results",
                )
            )
        elif len(mine) > s.max_krs_per_objective:
            out.append(
                item_problem(
                    "too-many-krs",
                    item,
                    "id",
                    f"objective {item.id} has {len(mine)} key results: keep at most "
                    f"{s.max_krs_per_objective}, the ones that matter most",
                )
            )
        elif sum(k.weight for k in mine) <= 0:
            out.append(
                item_problem(
                    "weight",
                    mine[0],
                    "weight",
                    f"the key results of {item.id} all weigh 0: give at least one a "
                    "Weight above 0 (empty means 1)",
                )
            )
    return out


def _objectives_per_owner(items: Sequence[Item], s: Settings) -> list[Problem]:
    out = []
    limit = s.max_objectives_per_owner
    for field, label in (("owner", "owner"), ("department", "team")):
        groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
        for item in items:
            value = getattr(item, field)
            if item.is_objective and value:
                groups[(normalise(value), item.period_label)].append(item)
        for group in groups.values():
            if len(group) > limit:
                first = group[limit]
                who = getattr(first, field)
                out.append(
                    item_problem(
                        "too-many-objectives",
                        first,
                        field,
                        f"{label} {who} has {len(group)} objectives in {first.period_label}: "
                        f"focus on at most {limit}",
                    )
                )
    return out


def _owners(items: Sequence[Item]) -> list[Problem]:
    return [
        item_problem(
            "no-owner", item, "owner", f"{item.id} has no Owner: name the person accountable"
        )
        for item in items
        if item.id and not item.owner
    ]


def _metrics(
    items: Sequence[Item], metrics: Mapping[str, str] | None, s: Settings, today: date
) -> list[Problem]:
    out = []
    for item in items:
        if not item.metric:
            continue
        if metrics is not None:
            if item.metric not in metrics:
                out.append(
                    item_problem(
                        "unknown-metric",
                        item,
                        "metric",
                        f"metric {item.metric} is not in the registry: pick one from "
                        "'okr metrics list' or clear the cell to type values by hand",
                    )
                )
                continue
            unit = metrics[item.metric]
            if unit and item.unit and normalise(unit) != normalise(item.unit):
                out.append(
                    item_problem(
                        "unit-mismatch",
                        item,
                        "unit",
                        f"Unit {item.unit} of {item.id} differs from metric {item.metric}'s "
                        f"unit {unit}: use the metric's unit or another metric",
                    )
                )
        out += _stale(item, s, today)
    return out


def _stale(item: Item, s: Settings, today: date) -> list[Problem]:
    if item.metric_state:
        since = f" since {item.as_of:%Y-%m-%d}" if item.as_of else ""
        message = (
            f"metric {item.metric} of {item.id} is {item.metric_state}; Current is the last "
            f"good value{since}: fix the connection and run 'okr metrics refresh'"
        )
        return [item_problem("stale", item, "as_of", message)]
    if item.as_of is None:
        message = (
            f"{item.id} takes metric {item.metric} but has never been refreshed: "
            "run 'okr metrics refresh'"
        )
        return [item_problem("stale", item, "as_of", message)]
    as_of = item.as_of.date() if isinstance(item.as_of, datetime) else item.as_of
    age = (today - as_of).days
    if age > s.stale_days:
        message = (
            f"Current of {item.id} is {age} days old (limit {s.stale_days}): "
            "run 'okr metrics refresh' or check the metric's connection"
        )
        return [item_problem("stale", item, "as_of", message)]
    return []
