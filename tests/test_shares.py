"""Objectives serving several parents: reading shares, their checks, roll-up and tree."""

from __future__ import annotations

from datetime import date

import pytest

from okr.cascade import check
from okr.rollup import score_all
from okr.settings import Settings
from okr.shares import parent_text, read_parents
from okr.tree import Snapshot, build_tree, changes
from tests.okrdata import kr, obj, table

TODAY = date(2026, 11, 27)
TWO = (("CO-O1", 0.6), ("CO-O2", 0.4))


@pytest.mark.parametrize(
    "cell",
    [
        "CO-O1 60%; CO-O2 40%",
        "CO-O1 60 %; CO-O2 40 %",
        "CO-O1 60%, CO-O2 40%",
        "CO-O1 60%\nCO-O2 40%",
        "CO-O1 0.6; CO-O2 0.4",
        "CO-O1 0,6; CO-O2 0,4",
        "CO-O1:60; CO-O2:40",
        "CO-O1: 60, CO-O2: 40",
        "CO-O1 60%; CO-O2",  # the rest goes to the entry without a share
        "CO-O1 · Grow revenue 60%; CO-O2 · Keep customers 40%",
        "  CO-O1 60% ;; CO-O2 40%  ",
    ],
)
def test_every_spelling_of_a_share_list_reads_the_same(cell):
    first, shares, message = read_parents(cell)
    assert first == "CO-O1" and message == ""
    assert [p for p, _ in shares] == ["CO-O1", "CO-O2"]
    assert [s for _, s in shares] == pytest.approx([0.6, 0.4])


@pytest.mark.parametrize(
    ("cell", "first", "shares"),
    [
        ("CO-O1", "CO-O1", ()),
        ("CO-O1 · Grow revenue, fast", "CO-O1", ()),  # a comma inside the title
        ("CO-O1 Grow revenue", "CO-O1", ()),
        ("CO-O1 100%", "CO-O1", ()),
        (None, None, ()),
        ("", None, ()),
        ("CO-O1; CO-O2", "CO-O1", (("CO-O1", 0.5), ("CO-O2", 0.5))),  # equal shares
        ("A-O1, B-O1, C-O1", "A-O1", (("A-O1", 1 / 3), ("B-O1", 1 / 3), ("C-O1", 1 / 3))),
    ],
)
def test_single_parents_and_equal_shares(cell, first, shares):
    got_first, got, message = read_parents(cell)
    assert got_first == first and message == ""
    assert [p for p, _ in got] == [p for p, _ in shares]
    assert [s for _, s in got] == pytest.approx([s for _, s in shares])


def test_an_entry_that_is_not_id_and_share_is_reported_at_the_parent_cell():
    t = table([obj("S-O1", "CO-O1 60% extra; CO-O2 40%"), kr("S-KR1", "S-O1")])
    found = [p for p in t.problems if p.code == "parent-share"]
    assert len(found) == 1 and found[0].cell == "C2"
    assert "CO-O1 60% extra" in found[0].message


COMPANY = [
    obj("CO-O1", department="Company", period="2026"),
    kr("CO-KR1.1", "CO-O1", department="Company", period="2026", current=20),
    obj("CO-O2", department="Company", period="2026"),
    kr("CO-KR2.1", "CO-O2", department="Company", period="2026", current=40),
]


def share_codes(parent: str, *, extra=()) -> list[tuple[str, str]]:
    t = table([*COMPANY, obj("S-O1", parent), kr("S-KR1", "S-O1"), *extra])
    found = [*t.problems, *check(t.items, today=TODAY)]
    return [(p.code, p.message) for p in found if p.id == "S-O1" or p.id == "S-KR9"]


@pytest.mark.parametrize(
    ("parent", "needle"),
    [
        ("CO-O1 60%; CO-O2 30%", "sum to 90%"),
        ("CO-O1 70%; CO-O2 40%", "sum to 110%"),
        ("CO-O1 0%; CO-O2 100%", "outside 0-100%"),
        ("CO-O1 -20%; CO-O2 120%", "outside 0-100%"),
        ("CO-O1 50%; CO-O1 50%", "listed twice"),
        ("CO-O1 60%", "sum to 60%"),
        ("CO-O1 100%; CO-O2", "outside 0-100%"),  # nothing left for CO-O2
    ],
)
def test_bad_shares_are_a_parent_share_error_naming_the_sum(parent, needle):
    found = share_codes(parent)
    assert [c for c, _ in found] == ["parent-share"]
    assert needle in found[0][1]


@pytest.mark.parametrize("parent", ["CO-O1 60%; CO-O2 40%", "CO-O1 60.3%; CO-O2 40%"])
def test_shares_summing_to_100_within_half_a_point_pass(parent):
    assert share_codes(parent) == []


def test_a_key_result_with_several_parents_is_kr_parent():
    found = share_codes("CO-O1", extra=[kr("S-KR9", "S-O1; CO-O1")])
    assert [c for c, _ in found] == ["kr-parent"]


def test_second_parents_are_checked_like_the_first():
    assert [c for c, _ in share_codes("CO-O1 50%; CO-O9 50%")] == ["unknown-parent"]
    t = table([*COMPANY, obj("S-O1", "CO-O1; S-O2"), kr("S-KR1", "S-O1"),
               obj("S-O2", "S-O1"), kr("S-KR2", "S-O2")])  # fmt: skip
    assert "cycle" in {p.code for p in check(t.items, today=TODAY)}


def test_roll_up_counts_a_shared_objective_with_weight_times_share():
    # CO-O1: own KR .20 (w1) and S-O1 .50 with weight 2 x share .6 = 1.2
    #        -> (.20 x 1 + .50 x 1.2) / 2.2 = .363636...
    # CO-O2: own KR .40 (w1) and S-O1 .50 with 2 x .4 = .8 -> (.40 + .40) / 1.8 = .444...
    t = table([*COMPANY, obj("S-O1", "CO-O1 60%; CO-O2 40%", weight=2), kr("S-KR1", "S-O1")])
    scores = score_all(t.items, TODAY)
    assert scores["CO-O1"].rolled == pytest.approx(0.8 / 2.2)
    assert scores["CO-O2"].rolled == pytest.approx(0.8 / 1.8)
    assert scores["S-O1"].rolled == pytest.approx(0.5)
    children = score_all(t.items, TODAY, Settings(rollup_mode="children"))
    assert children["CO-O1"].rolled == pytest.approx(0.5)


def test_a_shared_objective_appears_under_each_parent_once_in_full():
    t = table([*COMPANY, obj("S-O1", "CO-O1 60%; CO-O2 40%"), kr("S-KR1", "S-O1")])
    nodes = build_tree(t.items).nodes
    rows = [(n.id, n.depth, n.share, n.first) for n in nodes]
    first = next(r for r, n in enumerate(nodes) if n.id == "S-O1")
    assert rows == [
        ("CO-O1", 0, None, -1),
        ("S-O1", 1, 0.6, -1),
        ("S-KR1", 2, None, -1),
        ("CO-KR1.1", 1, None, -1),
        ("CO-O2", 0, None, -1),
        ("S-O1", 1, 0.4, first),  # the repeat links to the full row, without its subtree
        ("CO-KR2.1", 1, None, -1),
    ]
    assert [n.is_repeat for n in nodes].count(True) == 1
    assert not nodes[5].has_children


def test_a_loop_through_a_second_parent_still_places_every_row():
    t = table([*COMPANY, obj("S-O1", "CO-O1; S-O2"), kr("S-KR1", "S-O1"),
               obj("S-O2", "S-O1"), kr("S-KR2", "S-O2")])  # fmt: skip
    nodes = build_tree(t.items).nodes
    assert {n.id for n in nodes if not n.is_repeat and not n.is_branch} == {i.id for i in t.items}


def test_a_deep_chain_of_shared_objectives_needs_no_recursion():
    rows = [*COMPANY]
    for i in range(3000):
        up = "CO-O1; CO-O2" if i == 0 else f"S-O{i - 1} 50%; CO-O2 50%"
        rows += [obj(f"S-O{i}", up, period="2026"), kr(f"S-KR{i}", f"S-O{i}", period="2026")]
    t = table(rows)
    assert len(build_tree(t.items).nodes) == len(t.items) + 3000
    assert check(t.items, today=TODAY) is not None


def test_a_changed_share_is_reported_as_re_parenting():
    before = table([*COMPANY, obj("S-O1", "CO-O1 60%; CO-O2 40%"), kr("S-KR1", "S-O1")])
    after = table([*COMPANY, obj("S-O1", "CO-O1 50%; CO-O2 50%"), kr("S-KR1", "S-O1")])

    def snap(t):
        return {i.id: Snapshot(i.id, i.kind, parent_text(i)) for i in t.items}

    found = [c for c in changes(snap(before), snap(after).values()) if c.kind == "re-parented"]
    assert [(c.id, c.before, c.after) for c in found] == [
        ("S-O1", "CO-O1 60%; CO-O2 40%", "CO-O1 50%; CO-O2 50%")
    ]
