"""``okr init [DIR]``: start a workspace a new admin can run the next commands in."""

from __future__ import annotations

from pathlib import Path

import click

from sync.config import CONFIG_NAME
from sync.errors import InputError
from sync.xlsx.template import build_template

#: The okr.toml a new workspace starts with: every section, explained.
STARTER = """\
# okr.toml: the workspace of okr-sheets. Every command reads this file;
# see the README ("The workspace file") for every key.

[organisation]
name = "{name}"
# period = "2026-Q4"       # the period reports default to
# decimal = ","            # how typed text like 12,5 is read; unset: only unambiguous text

[store]
# url = "sqlite:///.okr/okr.db"   # the default; or postgresql://user@host/db
#                                 # (pip install 'okr-sheets[postgres]')

[[sources]]
kind = "folder"
path = "departments"       # save each department's workbook here
glob = "*.xlsx"

[output]
path = "company.xlsx"      # the company workbook, written by okr consolidate
keep = 14                  # dated copies kept in company-copies/

[settings]
# stale_days = 14          # see the README ("Settings") for all of them
"""


def init_workspace(folder: Path, name: str | None = None) -> list[Path]:
    """Write okr.toml, departments/ and the blank template into *folder*; the paths written.

    Refuses to touch a folder that already has an okr.toml.
    """
    config = folder / CONFIG_NAME
    if config.exists():
        raise InputError(f"{config}: already exists; edit it, or init another folder")
    folder.mkdir(parents=True, exist_ok=True)
    title = (name or folder.resolve().name or "Our organisation").replace('"', "'")
    config.write_text(STARTER.format(name=title), encoding="utf-8")
    departments = folder / "departments"
    departments.mkdir(exist_ok=True)
    template = build_template(folder / "okr_template.xlsx")
    return [config, departments, Path(template)]


@click.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--name", help="The organisation's name (default: the folder's name).")
def init(folder: Path, name: str | None) -> int:
    """Start a workspace: a commented okr.toml, a departments/ folder and the template.

    \b
    Example:
        okr init okr-2026 --name "Northwind Components"
    """
    written = init_workspace(folder, name)
    for path in written:
        click.echo(f"wrote {path}{'/' if path.is_dir() else ''}")
    here = "" if folder == Path(".") else f"cd {folder}\n  "
    click.echo(
        "Next:\n"
        f"  {here}# give okr_template.xlsx to each department; save their copies in departments/\n"
        "  okr check departments/\n"
        "  okr consolidate\n"
        "  okr schedule"
    )
    return 0
