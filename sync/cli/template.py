"""``okr template``: write a blank OKR workbook for a department."""

from __future__ import annotations

from pathlib import Path

import click

from okr.schema import (
    LANGUAGES,
)
from sync.xlsx.template import DEFAULT_OUTPUT, build_template


@click.command("template")
@click.option("--department", metavar="CODE", help="Department code to pre-fill, e.g. SALES.")
@click.option(
    "--period",
    metavar="PERIOD",
    help="Default period, e.g. 2026-Q4; Lists then holds that year and the years around it.",
)
@click.option(
    "--parents",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Workbook whose IDs fill the Parent dropdown (the level above); repeat for more.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the headers, dropdown words and guide.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="Where to write the workbook.",
)
def template(
    department: str | None, period: str | None, parents: tuple[Path, ...], lang: str, output: Path
) -> int:
    """Write a blank OKR workbook for a department to fill in.

    \b
    Example:
        okr template --department SALES --period 2026-Q4 --parents company.xlsx -o sales.xlsx
    """
    path = build_template(output, lang=lang, department=department, period=period, parents=parents)
    click.echo(f"wrote {path}")
    return 0
