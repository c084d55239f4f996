"""``okr template``: write a blank OKR workbook for a department, or create it as a Google Sheet."""

from __future__ import annotations

from pathlib import Path

import click

from okr.schema import LANGUAGES
from sync.cli.options import config_option
from sync.gsheets import is_sheet_ref
from sync.xlsx.template import DEFAULT_OUTPUT, build_template, parent_entries, template_period


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
    metavar="FILE_OR_SHEET",
    help="Workbook or Google Sheets URL whose IDs fill the Parent dropdown; repeat for more.",
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
@click.option(
    "--google",
    is_flag=True,
    help="Create the template as a Google Sheet ([google] in okr.toml) and print its URL.",
)
@click.option("--title", metavar="T", help="Title of the Google Sheet (with --google).")
@config_option("Workspace file for the [google] settings")
def template(
    department: str | None,
    period: str | None,
    parents: tuple[str, ...],
    lang: str,
    output: Path,
    google: bool,
    title: str | None,
    config: Path | None,
) -> int:
    """Write a blank OKR workbook for a department to fill in (or a Google Sheet).

    \b
    Example:
        okr template --department SALES --period 2026-Q4 --parents company.xlsx -o sales.xlsx
        okr template --google --department SALES --title "Sales OKRs 2026-Q4"
    """
    from sync.config import load_config
    from sync.gsheets import reader

    # okr.toml names the departments for the Department dropdown (none without one).
    ws = load_config(config)
    read = reader(ws) if (google or any(map(is_sheet_ref, parents))) else None
    if not google:
        path = build_template(
            output,
            lang=lang,
            department=department,
            period=period,
            parents=parents,
            read=read,
            departments=ws.departments,
        )
        click.echo(f"wrote {path}")
        return 0
    from sync.gsheets.client import GoogleApi, GoogleConfig
    from sync.gsheets.template import create_template

    cfg = GoogleConfig.from_workspace(ws)
    default_period, years = template_period(lang, period, None)
    entries = parent_entries(parents, read)
    name = title or " ".join(filter(None, ("OKRs", department, period)))
    url = create_template(
        GoogleApi(cfg),
        cfg,
        title=name,
        lang=lang,
        department=department,
        period=default_period,
        years=years,
        parents=entries,
        departments=ws.departments,
    )
    click.echo(url)
    return 0
