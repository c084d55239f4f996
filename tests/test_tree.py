"""The alignment tree: levels, order, the Unaligned branch, loops; and changes between runs."""

from __future__ import annotations

import pytest

from okr.settings import Settings
from okr.tree import UNALIGNED, Node, Nodes, Snapshot, build_tree, changes, fold
from tests.okrdata import kr, obj, table
from tests.orgbuild import org_rows

ORDER = ("company.xlsx", "sales.xlsx", "ops.xlsx", "emea.xlsx")


def org_items(order=ORDER):
    rows = org_rows()
    return [i for name in order for i in table(rows[name], name).items]


def outline(items, settings=None):
    tree = build_tree(items, settings)
    return [(n.id, n.depth) for n in tree.nodes]


def test_tree_rows_kept_as_columns_read_back_as_nodes():
    nodes = Nodes()
    assert nodes.append(0, "CO-O1", 0, -1) == 0
    nodes.append(1, "S-O1", 1, 0, share=0.6)
    nodes.append(1, "S-O1", 1, 0, share=0.4, first=1)
    expected = [
        Node(0, "CO-O1", 0, -1, True),
        Node(1, "S-O1", 1, 0, False, 0.6),
        Node(1, "S-O1", 1, 0, False, 0.4, 1),
    ]
    assert list(nodes) == expected and len(nodes) == 3
    assert nodes[-1] == expected[-1] and nodes[1:] == expected[1:]
    assert nodes[2].is_repeat and not nodes[0].is_branch and nodes.up_of(1) == 0
    with pytest.raises(IndexError):
        nodes[3]
    again = Nodes()
    for n in expected:
        again.append(n.index, n.id, n.depth, n.up, n.share, n.first)
    assert again == nodes


def test_the_tree_runs_company_then_departments_then_teams_then_key_results():
    assert outline(org_items()) == [
        ("CO-O1", 0),
        ("SALES-O2", 1),  # aligned directly to the company objective: before its KRs
        ("SALES-KR2.1", 2),
        ("CO-KR1.1", 1),
        ("SALES-O1", 2),  # aligned to a company key result: under that key result
        ("EMEA-O1", 3),  # the team level
        ("EMEA-KR1.1", 4),
        ("SALES-KR1.1", 3),
        ("SALES-KR1.2", 3),
        ("OPS-O1", 4),  # another department serving a Sales key result
        ("OPS-KR1.1", 5),
        ("CO-KR1.2", 1),
        ("CO-O2", 0),
        ("CO-KR2.1", 1),
        (UNALIGNED, 0),
        ("SALES-O3", 1),  # a pilot with no parent yet
        ("SALES-KR3.1", 2),
        ("OPS-O2", 1),  # parent CO-O9 exists nowhere
        ("OPS-KR2.1", 2),
    ]


def test_every_row_appears_once_and_points_at_the_row_above():
    items = org_items()
    tree = build_tree(items)
    assert sorted(n.index for n in tree.nodes if not n.is_branch) == list(range(len(items)))
    for r, node in enumerate(tree.nodes):
        if node.up >= 0:
            assert node.up < r and tree.nodes[node.up].depth == node.depth - 1
        else:
            assert node.depth == 0


def test_the_order_follows_the_input_not_the_file_order_of_children():
    # Key results typed above their objective's aligned objectives still come after them.
    items = table(
        [
            obj("CO-O1", department="Company", period="2026"),
            kr("CO-KR1", "CO-O1", department="Company", period="2026"),
            obj("D-O2", "CO-O1"),
            obj("D-O1", "CO-O1"),
        ],
        "x.xlsx",
    ).items
    assert outline(items) == [("CO-O1", 0), ("D-O2", 1), ("D-O1", 1), ("CO-KR1", 1)]
    assert outline(items) == outline(items)


def test_no_unaligned_branch_when_everything_aligns():
    items = table(
        [obj("CO-O1", department="Company"), kr("CO-KR1", "CO-O1"), obj("S-O1", "CO-KR1")]
    ).items
    assert UNALIGNED not in [i for i, _ in outline(items)]


def test_a_pilot_department_alone_shows_under_unaligned():
    items = table(
        [obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1"), obj("S-O2"), kr("S-KR2", "S-O2")]
    ).items
    assert outline(items) == [
        (UNALIGNED, 0),
        ("S-O1", 1),
        ("S-KR1", 2),
        ("S-O2", 1),
        ("S-KR2", 2),
    ]


def test_the_top_level_name_comes_from_settings():
    items = table([obj("G-O1", department="Group"), kr("G-KR1", "G-O1")]).items
    assert outline(items)[0] == (UNALIGNED, 0)
    assert outline(items, Settings(top_level="group"))[0] == ("G-O1", 0)


def test_loops_of_parents_are_placed_once_under_unaligned():
    items = table(
        [
            obj("A", "B"),
            obj("B", "C"),
            obj("C", "A"),
            obj("SELF", "SELF"),
            kr("A-KR", "A"),
        ]
    ).items
    got = outline(items)
    assert got[0] == (UNALIGNED, 0)
    ids = [i for i, _ in got]
    assert sorted(ids[1:]) == sorted(["A", "B", "C", "SELF", "A-KR"])


def test_a_long_chain_does_not_recurse():
    rows = [obj("O0", department="Company")] + [obj(f"O{i}", f"O{i - 1}") for i in range(1, 3000)]
    got = outline(table(rows).items)
    assert got[-1] == ("O2999", 2999)


def test_duplicate_ids_keep_both_rows():
    items = table(
        [obj("CO-O1", department="Company"), obj("S-O1", "CO-O1"), obj("S-O1", "CO-O1")]
    ).items
    assert outline(items) == [("CO-O1", 0), ("S-O1", 1), ("S-O1", 1)]


def test_key_results_of_a_missing_objective_are_unaligned():
    items = table([kr("KR-LOST", "NOWHERE"), kr("KR-EMPTY", "")]).items
    assert outline(items) == [(UNALIGNED, 0), ("KR-LOST", 1), ("KR-EMPTY", 1)]


def test_fold_hides_everything_below_department_objectives():
    items = org_items()
    tree = build_tree(items)
    hidden, collapsed = fold(tree, items)
    shown = {n.id for n, h in zip(tree.nodes, hidden, strict=True) if not h}
    assert shown == {
        "CO-O1",
        "CO-KR1.1",
        "CO-KR1.2",
        "CO-O2",
        "CO-KR2.1",
        "SALES-O1",
        "SALES-O2",
        UNALIGNED,
        "SALES-O3",
        "OPS-O2",
    }
    folded = {n.id for n, c in zip(tree.nodes, collapsed, strict=True) if c}
    # Department and team objectives with rows under them carry the + button.
    assert folded == {"SALES-O1", "SALES-O2", "EMEA-O1", "OPS-O1", "SALES-O3", "OPS-O2"}


# ---------------------------------------------------------------------------
# changes


def snap(id, **kw):
    base = dict(kind="objective", parent="CO-O1", title=id, department="Sales", progress=0.5)
    base.update(status="on track", notes="")
    base.update(kw)
    return Snapshot(id, **base)


def test_changes_lists_added_removed_reparented_status_progress_and_notes():
    before = {
        "A": snap("A"),
        "B": snap("B"),
        "C": snap("C"),
        "GONE": snap("GONE"),
        "N": snap("N", notes="call top 40"),
    }
    after = {
        "A": snap("A", parent="CO-O2"),
        "B": snap("B", progress=0.62, status="at risk"),
        "C": snap("C", progress=0.54),  # moved 4 points: under the threshold
        "NEW": snap("NEW"),
        "N": snap("N", notes="call top 80"),
    }
    got = [(c.kind, c.id, c.before, c.after) for c in changes(before, after.values(), 0.05)]
    assert got == [
        ("re-parented", "A", "CO-O1", "CO-O2"),
        ("status", "B", "on track", "at risk"),
        ("progress", "B", 0.5, 0.62),
        ("added", "NEW", None, "CO-O1"),
        ("notes", "N", "call top 40", "call top 80"),
        ("removed", "GONE", "CO-O1", None),
    ]


@pytest.mark.parametrize(
    ("was", "now", "listed"),
    [
        (0.5, 0.55, False),
        (0.5, 0.5501, True),
        (0.5, 0.44, True),
        (None, 0.1, True),
        (0.3, None, True),
    ],
)
def test_a_progress_move_counts_only_beyond_the_threshold(was, now, listed):
    got = changes({"A": snap("A", progress=was)}, [snap("A", progress=now)], 0.05)
    assert any(c.kind == "progress" for c in got) is listed


def test_no_changes_between_identical_runs():
    runs = {"A": snap("A"), "B": snap("B", parent=None)}
    assert changes(runs, runs.values()) == []


def test_the_first_row_of_an_id_counts_and_the_rows_are_gone_through_once():
    rows = iter([snap("A", progress=0.9), snap("A", progress=0.1)])
    got = changes({"A": snap("A", progress=0.9), "B": snap("B")}, rows)
    assert [(c.kind, c.id) for c in got] == [("removed", "B")]
