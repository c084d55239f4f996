"""Which workbooks of the previous run come back now under another name.

A department that renames its file sends the same rows under a new name. A
workbook of the previous run that is gone now (not read, not forgotten, its
source reachable) is taken as renamed to a workbook read fine now that the
previous run did not have when that one holds every ID of its last good
version (IDs ignore case, as they do everywhere). The pairing must be one to
one: a workbook whose IDs are all in two new ones, or a new one holding all
the IDs of two gone ones, is no rename, and shows as it did before (stale,
with duplicate IDs). Pure: it compares names and IDs, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from okr.model import id_key
from okr.problems import Problem, make_problem
from okr.reading import Table
from sync.run_records import SourceState
from sync.sources.base import SourceRead


class _HasTable(Protocol):
    table: Table | None


def find_renames(
    reads: Sequence[SourceRead],
    known: Sequence[SourceState],
    fallback: Mapping[str, _HasTable],
    source_errors: Mapping[str, str],
    forget: frozenset[str] | set[str],
) -> dict[str, str]:
    """Old name -> new name of every workbook of the previous run renamed since.

    *fallback* gives the last good version of each gone workbook (a
    ``sync.consolidate.compute.Fallback``): its IDs are what must reappear.
    """
    current = {r.name for r in reads}
    before = {k.name for k in known}
    gone = {}
    for k in known:
        if k.name in current or k.name in forget or k.source in source_errors:
            continue  # read now, retired by the admin, or its whole source is unreachable
        good = fallback.get(k.name)
        ids = {id_key(i.id) for i in good.table.items if i.id} if good and good.table else set()
        if ids:
            gone[k.name] = ids
    if not gone:
        return {}
    new = {
        r.name: {id_key(i.id) for i in r.table.items if i.id}
        for r in reads
        if r.ok and r.table is not None and r.name not in before and r.name not in forget
    }
    pairs = [(old, name) for old, ids in gone.items() for name, has in new.items() if ids <= has]
    olds = [old for old, _ in pairs]
    news = [name for _, name in pairs]
    return {old: name for old, name in pairs if olds.count(old) == 1 and news.count(name) == 1}


def renamed_problems(renames: Mapping[str, str]) -> list[Problem]:
    """One ``renamed`` warning per renamed workbook, on the new one."""
    return [
        make_problem(
            "renamed",
            f"{old} was renamed to {new}: every ID of {old} is in {new}, so its history "
            f"carries over and {old} is no longer expected (nothing to do)",
            workbook=new,
        )
        for old, new in sorted(renames.items())
    ]
