"""``okr rollover``: the next period's department workbooks, unfinished work carried over."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path

import click

from okr.cascade import check as check_items
from okr.model import Item, id_key
from okr.periods import Period, parse_period
from okr.problems import ERROR
from okr.rollover import carried, carry_ids, under, unhook
from okr.rollup import score_all
from okr.schema import normalise
from sync.cli.check import expand_paths
from sync.cli.options import config_option
from sync.config import Workspace, load_config
from sync.errors import InputError
from sync.xlsx.reading import read_workbook
from sync.xlsx.rollover import language_of, write_next_period


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--to", "to", required=True, help="The next period, e.g. 2027-Q1.")
@click.option(
    "--parents",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Workbook(s) of the level above in the new period, for the Parent dropdown.",
)
@click.option(
    "-o", "--output", "out", type=click.Path(path_type=Path), default=Path("next"),
    show_default=True, help="Folder for the new workbooks (same file names).",
)  # fmt: skip
@click.option("--all", "everything", is_flag=True, help="Carry finished items too.")
@click.option(
    "--carry-errors", is_flag=True,
    help="Carry rows that have errors as they are (by default they stay behind).",
)  # fmt: skip
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@config_option("Workspace file for settings")
def rollover(
    paths: tuple[Path, ...],
    to: str,
    parents: tuple[Path, ...],
    out: Path,
    everything: bool,
    carry_errors: bool,
    force: bool,
    config: Path | None,
) -> int:
    """Write each department's workbook for the next period from the current template.

    Objectives not yet at 100 % carry over with their unfinished key results
    (Baseline := last Current, Current and As of empty, Notes say where they
    came from); IDs, owners, weights, metrics and parents are kept. The new
    set starts clean: an objective whose parent the new period lacks carries
    with an empty Parent, and a row that would still have an error stays
    behind with what serves it (named in the last lines) unless
    --carry-errors. Exit 2 when an output file exists (unless --force).

    Example: okr rollover departments/ --to 2027-Q1 --parents next/company.xlsx -o next
    """
    period = parse_period(to)
    if period is None:
        raise InputError(f"--to {to}: use 2027, 2027-H1, 2027-Q1 or 2027-01")
    ws = load_config(config)
    files = expand_paths(paths)
    if not files:
        raise InputError(f"no .xlsx workbooks in {', '.join(map(str, paths))}")
    targets = [out / f.name for f in files]
    taken = [t for t in targets if t.exists()]
    if taken and not force:
        raise InputError(
            f"{taken[0]} exists: nothing is overwritten; choose another -o folder or add --force"
        )
    read = partial(read_workbook, max_rows=ws.settings.max_rows, decimal=ws.decimal)
    parent_files = expand_paths(parents)
    context = [i for p in parent_files for i in read(p, parents=True).items]
    tables = [read(f).items for f in files]
    items = [i for t in tables for i in t]
    scores = score_all(items, date.today(), ws.settings)
    keep = carry_ids(items, scores, everything=everything)
    # Whether a parent is gone can be told only when the level above is here.
    top = normalise(ws.settings.top_level)
    judged = bool(context) or any(normalise(i.department) == top for i in items)
    unhooked: list[tuple[str, str]] = []
    if judged and not carry_errors:
        known = {id_key(i.id) for i in [*items, *context] if i.id}
        tables = [_unhook(t, known, period, unhooked) for t in tables]
    left: dict[tuple[str, str], None] = {}
    while True:
        rows = [carried(t, scores, period, keep) for t in tables]
        errors = _errors([i for r in rows for i in r], context, ws, judged=judged)
        if carry_errors or not errors:
            break
        left.update(errors)
        staying = under([i for r in rows for i in r], {item_id for _, item_id in errors})
        if not staying & keep:  # nothing more can stay behind: carry the rest as it is
            break
        keep -= staying
    kept = 0
    for f, old, new, target in zip(files, tables, rows, targets, strict=True):
        write_next_period(new, target, lang=language_of(f), period=period.label,
                          parents=parent_files)  # fmt: skip
        kept += len(new)
        click.echo(f"wrote {target}: {len(new)} of {len(old)} row(s) carried")
    click.echo(f"{len(files)} workbook(s) for {period.label}, {kept} row(s) carried")
    if unhooked:
        click.echo(
            f"no Parent in {period.label} for {len(unhooked)} objective(s) "
            f"({_named(f'{i} was {p}' for i, p in unhooked)}): choose one from the dropdown"
        )
    if left:
        click.echo(
            f"left behind with errors: {len(left)} row(s) ({_named(f'{c} {i}' for c, i in left)}) "
            "and what serves them; fix them in the old workbooks and roll over again with "
            "--force, or add --carry-errors"
        )
    if errors:
        click.echo(
            f"carried over unfixed: {len(errors)} error(s) "
            f"({_named(f'{c} {i}' for c, i in errors)}); "
            f"fix them in the new workbooks (okr check {targets[0].parent})"
        )
    return 0


def _unhook(
    items: list[Item], known: set[str], period: Period, unhooked: list[tuple[str, str]]
) -> list[Item]:
    rows, found = unhook(items, known, period)
    unhooked += found
    return rows


def _errors(
    rows: list[Item], context: list[Item], ws: Workspace, *, judged: bool
) -> dict[tuple[str, str], None]:
    """``(code, ID)`` of each error the new rows have, in order.

    A parent that exists nowhere counts only where the level above is known:
    a department rolled over alone cannot tell a gone parent from one in a
    workbook it was not given.
    """
    found = check_items(rows, ws.settings, context=context, departments=ws.departments)
    return {
        (p.code, p.id): None
        for p in found
        if p.severity == ERROR and p.id and (judged or p.code != "unknown-parent")
    }


def _named(names: Iterable[str], most: int = 5) -> str:
    """The first *most* of *names*, then how many more."""
    shown = list(names)
    more = f" and {len(shown) - most} more" if len(shown) > most else ""
    return ", ".join(shown[:most]) + more
