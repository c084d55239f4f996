"""Departments have names: a blank or inconsistently spelt Department warns ``department``.

The organisation may name its departments (``[departments.CS] name =
"Customer Success"`` in okr.toml): a Department cell may then hold the code
or the name. Within one workbook, two spellings of one department (``CS``
and ``Customer Success``; ``Sales`` and ``sales``) warn on the rows that
differ from the usual one; two different teams in one workbook do not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from okr.model import Item
from okr.problems import Problem, item_problem
from okr.schema import normalise


def display_name(department: str, names: Mapping[str, str] | None = None) -> str:
    """The name people read for *department*: its configured name when it is a code."""
    if names:
        found = {code.upper(): name for code, name in names.items()}.get(department.strip().upper())
        if found:
            return found
    return department


def _initials(text: str) -> str:
    return "".join(w[0] for w in normalise(text).split() if w).upper()


def _same(a: str, b: str, names: Mapping[str, str] | None) -> bool:
    """True when *a* and *b* are two spellings of one department."""
    da, db = normalise(display_name(a, names)), normalise(display_name(b, names))
    if da == db:
        return True
    short, long = sorted((a.strip(), b.strip()), key=len)
    return " " in normalise(long) and short.upper() == _initials(long)


def department_problems(
    items: Sequence[Item], names: Mapping[str, str] | None = None
) -> list[Problem]:
    """``department`` warnings: rows without a Department, and one department spelt two ways."""
    out = []
    by_book: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if not item.id:
            continue
        if not item.department.strip():
            out.append(
                _problem(
                    item,
                    f"{item.id} has no Department: type the department's name"
                    + (" or its code from [departments] in okr.toml" if names else ""),
                )
            )
        else:
            by_book[item.where.workbook].append(item)
    for rows in by_book.values():
        counts = Counter(i.department.strip() for i in rows)
        usual = [d for d, _ in counts.most_common()]
        # The usual spelling of each spelling: a workbook has a few, on many rows.
        mains = {
            mine: next((d for d in usual if d != mine and _same(d, mine, names)), None)
            for mine in counts
        }
        for item in rows:
            mine = item.department.strip()
            main = mains[mine]
            if (
                main is None
                or counts[main] < counts[mine]
                or (counts[main] == counts[mine] and main > mine)
            ):
                continue  # the usual spelling (or a team of its own)
            out.append(
                _problem(
                    item,
                    f"Department {mine} of {item.id} is {main} spelt another way ({counts[main]} "
                    f"row(s) of this workbook say {main}): use one name for one department",
                )
            )
    return out


def _problem(item: Item, message: str) -> Problem:
    return item_problem("department", item, "department", message)
