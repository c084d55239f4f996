"""``okr remind``: one e-mail per owner whose hand-typed key results need an update."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click

from okr.checkins import latest, needs_update
from sync.cli.options import as_of_option, config_option
from sync.config import load_config
from sync.errors import ConfigError, InputError, OkrError


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the messages instead of sending them.")
@config_option("Workspace file with [mail] and the sources")
@as_of_option("Decide what is stale as if today were this date")
def remind(paths: tuple[Path, ...], dry_run: bool, config: Path | None, as_of) -> int:
    """E-mail each owner the key results they must update (stale or never checked in).

    PATHS are workbooks or folders (default: the folder sources of okr.toml).
    Each owner gets at most one message per [mail] remind_days; --dry-run
    prints the messages and sends nothing.

    Example: okr remind --config okr.toml --dry-run
    """
    from sync.mail import mail_settings, message, reminders_by_owner, send
    from sync.metrics.refresh import workbook_paths
    from sync.store.engine import open_store
    from sync.store.reminders import last_sent, mark_sent
    from sync.xlsx.reading import read_workbook

    ws = load_config(config)
    if not ws.mail:
        raise ConfigError(f"{ws.path or 'okr.toml'}: no [mail] table; add host and from")
    settings = mail_settings(ws.mail, str(ws.path or "okr.toml"))
    now = datetime.combine(as_of.date(), datetime.now().time()) if as_of else datetime.now()
    today = now.date()
    files = workbook_paths(ws, paths)
    if not files:
        raise InputError("no workbooks to read: give PATHS or [[sources]] folders")
    items, checkins = [], []
    for name, path in files:
        try:
            table = read_workbook(
                path, name=name, max_rows=ws.settings.max_rows, decimal=ws.decimal
            )
        except OkrError as exc:
            click.echo(f"skipped  {exc}")
            continue
        items += table.items
        checkins += table.checkins
    due = needs_update(items, latest(checkins, today), ws.settings, today)
    owners, no_address = reminders_by_owner(items, due)
    for who in no_address:
        click.echo(f"skipped  owner {who}: not an e-mail address")
    engine = open_store(ws.store_url)
    try:
        sent_before = last_sent(engine)
        todo = []
        for owner, rows in sorted(owners.items()):
            was = sent_before.get(owner)
            if was is not None and now - was < timedelta(days=settings.remind_days):
                click.echo(f"skipped  {owner}: reminded on {was:%Y-%m-%d} (remind_days "
                           f"{settings.remind_days})")  # fmt: skip
                continue
            todo.append((owner, rows, message(owner, rows, settings, ws.organisation, today)))
        if dry_run:
            for _, _, msg in todo:
                click.echo(msg.as_string())
            click.echo(f"{len(todo)} message(s) not sent (--dry-run)")
            return 0
        send([m for _, _, m in todo], settings)
        mark_sent(engine, [(o, len(rows)) for o, rows, _ in todo], now)
    finally:
        engine.dispose()
    for owner, rows, _ in todo:
        click.echo(f"sent     {owner}: {len(rows)} key result(s)")
    click.echo(f"{len(todo)} reminder(s) sent")
    return 0
