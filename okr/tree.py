"""The alignment tree of the whole organisation, and what changed between two runs.

``build_tree`` turns the items of every workbook into one ordered tree, the
rows of the company workbook's ``Company`` sheet:

- roots are the top-level objectives (Department is ``Settings.top_level``,
  Parent empty), in the order read;
- under an objective come the objectives aligned to it, then its key
  results; under a key result come the objectives aligned to it;
- an objective whose Parent is empty (below the top) or names an ID that
  exists nowhere goes under one synthetic ``Unaligned`` branch, so a pilot in
  one department shows up instead of being dropped. So do rows caught in a
  loop of parents, and key results whose objective is missing.

Every item appears once, whatever the data (duplicate IDs, cycles), except an
objective serving several parents (``okr.shares``): it appears under each,
marked with its share there; the second and later appearances are single
rows whose ``first`` points to the full one, so counts skip them.
``changes`` compares the snapshots of two runs.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from typing import NamedTuple, overload

from okr.model import Item, id_key
from okr.schema import normalise
from okr.settings import Settings
from okr.shares import parents_of

#: ID and title of the synthetic branch that holds rows aligned to nothing known.
UNALIGNED = "Unaligned"
#: A progress move larger than this (0.05 = 5 points) is listed as a change.
CHANGE_THRESHOLD = 0.05


class Node(NamedTuple):
    """One row of the tree, in display order."""

    #: position of the item in the sequence given to ``build_tree``; -1 for the branch row
    index: int
    id: str
    #: 0 for roots and the Unaligned branch
    depth: int
    #: position in ``Tree.nodes`` of the row above in the tree, -1 for a root
    up: int
    has_children: bool = False
    #: the item's share under this parent when it serves several, else None
    share: float | None = None
    #: position in ``Tree.nodes`` of the item's first appearance; -1 when this is it
    first: int = -1

    @property
    def is_repeat(self) -> bool:
        """True for the second and later appearances of a shared objective."""
        return self.first >= 0

    @property
    def is_branch(self) -> bool:
        """True for the synthetic Unaligned row."""
        return self.index < 0


_node = partial(tuple.__new__, Node)


class Nodes(Sequence[Node]):
    """The rows of a tree, kept as columns of numbers; a ``Node`` is made when asked for.

    A big organisation has hundreds of thousands of rows, held until its run
    ends: about 25 bytes a row here, 150 as objects.
    """

    __slots__ = ("_depth", "_first", "_ids", "_index", "_kids", "_shares", "_up")

    def __init__(self) -> None:
        """No rows yet: ``append`` adds them, in display order."""
        self._index, self._depth, self._up, self._first = (array("l") for _ in range(4))
        self._ids: list[str] = []
        self._kids = bytearray()
        self._shares: dict[int, float] = {}

    def append(
        self, index: int, item_id: str, depth: int, up: int, share: float | None = None,
        first: int = -1,
    ) -> int:  # fmt: skip
        """Add a row after the others (*up* above it, or -1); its position."""
        r = len(self._ids)
        self._index.append(index)
        self._ids.append(item_id)
        self._depth.append(depth)
        self._up.append(up)
        self._first.append(first)
        self._kids.append(0)
        if up >= 0:
            self._kids[up] = 1
        if share is not None:
            self._shares[r] = share
        return r

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, r: int) -> Node: ...
    @overload
    def __getitem__(self, r: slice) -> list[Node]: ...
    def __getitem__(self, r: int | slice) -> Node | list[Node]:
        if isinstance(r, slice):
            return [self[k] for k in range(*r.indices(len(self)))]
        if r < 0:
            r += len(self)
        return _node((self._index[r], self._ids[r], self._depth[r], self._up[r],
                      self._kids[r] == 1, self._shares.get(r), self._first[r]))  # fmt: skip

    def __iter__(self) -> Iterator[Node]:
        shares = self._shares
        share = (shares.get(r) for r in range(len(self))) if shares else repeat(None)
        kids = map(bool, self._kids)
        columns = (self._index, self._ids, self._depth, self._up, kids, share, self._first)
        return map(_node, zip(*columns, strict=False))  # *share* may be endless

    def up_of(self, r: int) -> int:
        """``self[r].up`` without making the node."""
        return self._up[r]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Nodes):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Nodes({list(self)!r})"


@dataclass(frozen=True)
class Tree:
    """The rows in display order (pre-order: each parent right before its subtree)."""

    nodes: Nodes


def _is_top(item: Item, top: str) -> bool:
    return item.is_objective and not item.parent and normalise(item.department) == top


def build_tree(items: Sequence[Item], settings: Settings | None = None) -> Tree:
    """Build the alignment tree of *items* (see the module docstring for the rules)."""
    s = settings or Settings()
    top = normalise(s.top_level)
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id and id_key(item.id) not in first:
            first[id_key(item.id)] = i

    children: dict[int, list[int]] = defaultdict(list)
    #: (parent index, child index) -> share, for children serving several parents
    share_of: dict[tuple[int, int], float] = {}
    roots: list[int] = []
    unaligned: list[int] = []
    for i, item in enumerate(items):
        placed = False
        for parent_id, share in parents_of(item) if item.shares else ((item.parent, None),):
            up = first.get(id_key(parent_id)) if parent_id else None
            if up is not None and up != i and (up, i) not in share_of:
                children[up].append(i)
                placed = True
                if share is not None:
                    share_of[(up, i)] = share
        if placed:
            continue
        if _is_top(item, top):
            roots.append(i)
        else:
            unaligned.append(i)

    def ordered(kids: list[int]) -> list[int]:
        # Aligned objectives first, then key results, then rows of unknown type.
        def rank(i: int) -> int:
            return 0 if items[i].is_objective else 1 if items[i].is_key_result else 2

        return sorted(kids, key=lambda i: (rank(i), i))

    # Rows go straight into the tree's columns; has_children follows from the
    # rows below (``Nodes.append``), since a child may be claimed by another
    # branch first (duplicate IDs, loops).
    nodes = Nodes()
    #: item index -> its row (its first appearance), -1 until placed
    seen = array("l", [-1]) * len(items)

    def visit(start: int, depth: int, up: int) -> None:
        # Iterative pre-order walk; ``seen`` guards against loops of parents.
        stack: list[tuple[int, int, int, float | None]] = [(start, depth, up, None)]
        while stack:
            i, d, u, share = stack.pop()
            if seen[i] >= 0:
                if share is not None:  # a shared objective under another parent
                    nodes.append(i, items[i].id, d, u, share, seen[i])
                continue
            here = seen[i] = nodes.append(i, items[i].id, d, u, share)
            stack.extend(
                (k, d + 1, here, share_of.get((i, k)))
                for k in reversed(ordered(children.get(i, [])))
            )

    for r in roots:
        visit(r, 0, -1)
    rest = [i for i in unaligned if seen[i] < 0]
    # Rows in a loop of parents are reachable from no root: place them too.
    placed = set(rest)
    rest += [i for i in range(len(items)) if seen[i] < 0 and i not in placed]
    if rest:
        branch = nodes.append(-1, UNALIGNED, 0, -1)
        for i in rest:
            visit(i, 1, branch)
    return Tree(nodes)


def fold(
    tree: Tree, items: Sequence[Item], settings: Settings | None = None
) -> tuple[list[bool], list[bool]]:
    """Which rows start hidden, and which rows are shown collapsed (with a + button).

    Everything below a department-level objective starts folded away: company
    rows, their key results and the department objectives aligned to them
    stay visible; the key results and team objectives under a department
    objective hide behind its + button. Returns ``(hidden, collapsed)``.
    """
    s = settings or Settings()
    top = normalise(s.top_level)
    hidden = [False] * len(tree.nodes)
    folded = [False] * len(tree.nodes)
    for r, node in enumerate(tree.nodes):
        if node.up >= 0:
            hidden[r] = hidden[node.up] or folded[node.up]
        if not node.is_branch:
            item = items[node.index]
            folded[r] = item.is_objective and normalise(item.department) != top
    collapsed = [f and n.has_children for f, n in zip(folded, tree.nodes, strict=True)]
    return hidden, collapsed


# ---------------------------------------------------------------------------
# Changes between two runs


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a run recorded about one row, as far as changes are concerned."""

    id: str
    kind: str | None = None
    parent: str | None = None
    title: str = ""
    department: str = ""
    progress: float | None = None
    status: str | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the previous run and this one."""

    #: ``added``, ``removed``, ``re-parented``, ``status``, ``progress`` or ``notes``
    kind: str
    id: str
    title: str
    department: str
    before: str | float | None
    after: str | float | None
    message: str


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def changes(
    previous: Mapping[str, Snapshot],
    current: Iterable[Snapshot],
    threshold: float = CHANGE_THRESHOLD,
) -> list[Change]:
    """Differences from *previous* (by ID) to *current*, in the order of *current*, removals last.

    *current* is gone through once (the first row of an ID counts), so it
    may be made as it goes. Progress counts as moved when it changed by more
    than *threshold* (0.05 = 5 percentage points) or appeared or disappeared.
    """
    out: list[Change] = []
    seen: set[str] = set()
    for now in current:
        key = now.id
        if key in seen:
            continue
        seen.add(key)
        was = previous.get(key)

        def add(kind: str, before, after, message: str, now: Snapshot = now) -> None:
            out.append(Change(kind, now.id, now.title, now.department, before, after, message))

        if was is None:
            add("added", None, now.parent, f"new row {now.id} under {now.parent or '(top)'}")
            continue
        if (was.parent or None) != (now.parent or None):
            add(
                "re-parented",
                was.parent,
                now.parent,
                f"{now.id} now serves {now.parent or 'nothing'} (was {was.parent or 'nothing'})",
            )
        if was.status != now.status:
            add(
                "status",
                was.status,
                now.status,
                f"status {was.status or '—'} → {now.status or '—'}",
            )
        moved = (was.progress is None) != (now.progress is None) or (
            was.progress is not None
            and now.progress is not None
            and abs(now.progress - was.progress) > threshold + 1e-12
        )
        if moved:
            add(
                "progress",
                was.progress,
                now.progress,
                f"progress {_pct(was.progress)} → {_pct(now.progress)}",
            )
        if was.notes != now.notes:
            add("notes", was.notes, now.notes, "Notes (corrective action) changed")
    for key, was in previous.items():
        if key not in seen:
            out.append(
                Change(
                    "removed",
                    was.id,
                    was.title,
                    was.department,
                    was.parent,
                    None,
                    f"{was.id} is no longer in any workbook",
                )
            )
    return out
