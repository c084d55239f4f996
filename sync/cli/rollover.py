"""``okr rollover``: the next period's department workbooks, unfinished work carried over."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from okr.periods import parse_period
from okr.rollover import carried, carry_ids
from okr.rollup import score_all
from sync.cli.check import expand_paths
from sync.cli.options import config_option
from sync.config import load_config
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
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@config_option("Workspace file for settings")
def rollover(
    paths: tuple[Path, ...],
    to: str,
    parents: tuple[Path, ...],
    out: Path,
    everything: bool,
    force: bool,
    config: Path | None,
) -> int:
    """Write each department's workbook for the next period from the current template.

    Objectives not yet at 100 % carry over with their unfinished key results
    (Baseline := last Current, Current and As of empty, Notes say where they
    came from); IDs, owners, weights, metrics and parents are kept. Exit 2
    when an output file exists (unless --force).

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
    tables = [read_workbook(f, max_rows=ws.settings.max_rows, decimal=ws.decimal) for f in files]
    items = [i for t in tables for i in t.items]
    scores = score_all(items, date.today(), ws.settings)
    keep = carry_ids(items, scores, everything=everything)
    kept = 0
    for f, table, target in zip(files, tables, targets, strict=True):
        rows = carried(table.items, scores, period, keep)
        write_next_period(rows, target, lang=language_of(f), period=period.label,
                          parents=expand_paths(parents))  # fmt: skip
        kept += len(rows)
        click.echo(f"wrote {target}: {len(rows)} of {len(table.items)} row(s) carried")
    click.echo(f"{len(files)} workbook(s) for {period.label}, {kept} row(s) carried")
    return 0
