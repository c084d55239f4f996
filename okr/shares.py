"""Objectives that serve several parents, each with a share of the objective.

The Parent cell of an objective may list several parents::

    CO-O1 60%; CO-O2 40%        CO-O1 60 %, CO-O2 40 %      CO-O1:60
    CO-O1 0.6                   CO-O1 · Grow revenue        CO-O1; CO-O2

Entries are separated by ``;``, a newline, or a comma followed by another ID.
A share is a percentage (``60%``, ``60 %``), a fraction (``0.6``) or a bare
number above 1 read as a percentage (``CO-O1:60``). No shares at all means
equal shares; entries without a share split what the others leave. Shares
lie in (0, 100 %] and sum to 100 % within half a point, else ``parent-share``.

An item with one parent keeps ``Item.shares`` empty: ``parents_of`` gives
``((parent, 1.0),)`` for it, so callers never special-case the single parent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from okr.model import Item
from okr.problems import Problem, item_problem

#: How far from 100 % the shares may sum (0.005 = half a percentage point).
SHARE_TOLERANCE = 0.005

_SPLIT = re.compile(r"[;\n\r；]+")
# A comma starts a new entry only when an ID-looking word (a letter first, a
# digit somewhere) follows, so "CO-O1 · Grow revenue, fast" stays one entry.
_COMMA = re.compile(r"[,，]\s*(?=[A-Za-z][A-Za-z0-9_.\-]*\d[A-Za-z0-9_.\-]*(?:[\s:·(,，]|$))")
_ENTRY = re.compile(
    r"^(?P<id>[^\s:·]+)\s*:?\s*"
    r"(?:(?P<share>[-+]?\d+(?:[.,]\d+)?)\s*(?P<pct>%|％)?)?"
    r"\s*(?P<rest>.*)$",
    re.S,
)
_TRAILING = re.compile(r"(?<!\S)([-+]?\d+(?:[.,]\d+)?)\s*[%％]$")


def _share(number: str, pct: str | None) -> float:
    value = float(number.replace(",", "."))
    if pct or value > 1:
        return value / 100
    return value


def _entries(text: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT.split(text):
        out += [e.strip() for e in _COMMA.split(part)]
    return [e for e in out if e]


def read_parents(value: object) -> tuple[str | None, tuple[tuple[str, float], ...], str]:
    """Read a Parent cell: ``(first parent ID, shares, problem message)``.

    *shares* is empty for a single parent without a share; otherwise it holds
    ``(parent ID, share)`` for every entry, in the order typed. The message is
    empty unless some part of the cell could not be read as an entry.
    """
    if value is None:
        return None, (), ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return None, (), ""
    parsed: list[tuple[str, float | None]] = []
    bad: list[str] = []
    for entry in _entries(text):
        m = _ENTRY.match(entry)
        if m is None:  # pragma: no cover - the pattern matches any non-empty text
            bad.append(entry)
            continue
        share = _share(m.group("share"), m.group("pct")) if m.group("share") else None
        rest = m.group("rest").strip()
        tail = _TRAILING.search(rest) if share is None and rest.startswith("·") else None
        if tail:  # "CO-O1 · Grow revenue 60%": a share typed after the picked entry
            share = _share(tail.group(1), "%")
            rest = rest[: tail.start()].strip()
        if rest and not rest.startswith("·") and share is not None:
            bad.append(entry)  # "CO-O1 60% extra": the share is not the end of the entry
        parsed.append((m.group("id"), share))
    if not parsed:
        return None, (), ""
    first = parsed[0][0]
    message = ""
    if bad:
        message = (
            f"Parent entry '{bad[0]}' is not 'ID share': write parents as 'CO-O1 60%; CO-O2 40%'"
        )
    if len(parsed) == 1 and (parsed[0][1] is None or abs(parsed[0][1] - 1) < 1e-9):
        return first, (), message
    given = sum(s for _, s in parsed if s is not None)
    missing = [p for p, s in parsed if s is None]
    rest_share = (1.0 - given) / len(missing) if missing else 0.0
    shares = tuple((p, rest_share if s is None else s) for p, s in parsed)
    return first, shares, message


def parents_of(item: Item) -> tuple[tuple[str, float], ...]:
    """Every ``(parent ID, share)`` of *item*; one parent has share 1."""
    if item.shares:
        return item.shares
    return ((item.parent, 1.0),) if item.parent else ()


def aligned_children(by_id: Mapping[str, Item]) -> dict[str, list[tuple[Item, float]]]:
    """Objective ID -> the objectives aligned to it, each with its share there.

    Only objective-to-objective links count: an objective serving a key result
    is shown under it but does not change it.
    """
    out: dict[str, list[tuple[Item, float]]] = defaultdict(list)
    for item in by_id.values():
        if not item.is_objective:
            continue
        for parent_id, share in parents_of(item):
            parent = by_id.get(parent_id)
            if parent is not None and parent.is_objective:
                out[parent_id].append((item, share))
    return out


def format_share(share: float) -> str:
    """``60%``; ``33.3%`` when a whole number would hide the difference."""
    pct = share * 100
    return f"{pct:.0f}%" if abs(pct - round(pct)) < 0.05 else f"{pct:.1f}%"


def parent_text(item: Item) -> str | None:
    """The parents as one canonical text: ``CO-O1 60%; CO-O2 40%``, or the single ID."""
    if not item.shares:
        return item.parent
    return "; ".join(f"{p} {format_share(s)}" for p, s in item.shares)


def _problem(code: str, item: Item, message: str) -> Problem:
    return item_problem(code, item, "parent", message)


def share_problems(items: Sequence[Item], known: Mapping[str, Item]) -> list[Problem]:
    """Problems of items with several parents (the first parent is checked in ``cascade``).

    ``kr-parent`` for a key result listing several parents, ``parent-share``
    for shares out of range, repeated, or not summing to 100 %, and
    ``unknown-parent``, ``period`` and ``cycle`` for the second and later parents.
    """
    out: list[Problem] = []
    for item in items:
        if not item.shares:
            continue
        listed = parent_text(item)
        if item.is_key_result and len(item.shares) > 1:
            out.append(
                _problem(
                    "kr-parent",
                    item,
                    f"key result {item.id} lists several parents ({listed}): a key result "
                    "measures exactly one objective; keep one ID",
                )
            )
            continue
        out += _share_values(item, listed)
        for parent_id, _ in item.shares[1:]:
            parent = known.get(parent_id)
            if parent is None:
                out.append(
                    _problem(
                        "unknown-parent",
                        item,
                        f"Parent {parent_id} of {item.id} exists in no workbook checked: fix "
                        "the ID or pass the parent's workbook with --parents",
                    )
                )
            elif item.period and parent.period and not parent.period.contains(item.period):
                out.append(
                    item_problem(
                        "period",
                        item,
                        "period",
                        f"period {item.period.label} of {item.id} lies outside its parent "
                        f"{parent.id}'s period {parent.period.label}: align the periods",
                    )
                )
    out += _shared_cycles(items, known)
    return out


def _share_values(item: Item, listed: str | None) -> list[Problem]:
    seen: set[str] = set()
    for parent_id, share in item.shares:
        if parent_id in seen:
            return [
                _problem(
                    "parent-share",
                    item,
                    f"Parent {parent_id} is listed twice for {item.id} ({listed}): "
                    "list each parent once with its whole share",
                )
            ]
        seen.add(parent_id)
        if not 0 < share <= 1 + 1e-9:
            return [
                _problem(
                    "parent-share",
                    item,
                    f"share {format_share(share)} of {parent_id} for {item.id} is outside "
                    "0-100%: give each parent a share above 0% and at most 100%",
                )
            ]
    total = sum(s for _, s in item.shares)
    if abs(total - 1) > SHARE_TOLERANCE:
        return [
            _problem(
                "parent-share",
                item,
                f"the shares of {item.id}'s parents sum to {format_share(total)} ({listed}): "
                "make them sum to 100%",
            )
        ]
    return []


def _shared_cycles(items: Sequence[Item], known: Mapping[str, Item]) -> list[Problem]:
    """Loops of parents that pass through a second or later parent.

    Loops along first parents only are the cascade check's; an iterative
    search from each extra parent looks for a way back to the item.
    """
    if not any(len(item.shares) > 1 for item in items):
        return []  # no second parents: nothing to search from
    up: dict[str, list[str]] = defaultdict(list)
    for item in items:
        for parent_id, _ in parents_of(item):
            up[item.id].append(parent_id)
    for other in known.values():
        if other.id not in up:
            up[other.id] = [p for p, _ in parents_of(other)]
    out: list[Problem] = []
    for item in items:
        for parent_id, _ in item.shares[1:]:
            stack, seen = [parent_id], {parent_id}
            while stack:
                node = stack.pop()
                if node == item.id:
                    out.append(
                        _problem(
                            "cycle",
                            item,
                            f"{item.id} is part of a loop of parents through {parent_id}: "
                            "point one of them to a parent one level up",
                        )
                    )
                    stack = []
                    break
                for nxt in up.get(node, ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
    return out
