"""``okr nightly``: the whole night in one command, refresh + check + consolidate.

Each step runs even when an earlier one failed (stale metrics are better than
no company workbook), says what went wrong in one line, and the exit code is
the worst of the steps: 3 (something outside the data failed) over 2 (bad
input) over 1 (errors in the data, or another run had the lock) over 0.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click

from okr.problems import has_errors
from sync.cli.options import as_of_option, company_lang_option, config_option, with_lang
from sync.config import Workspace, load_config
from sync.consolidate.run import DEFAULT_WAIT
from sync.errors import OkrError


def _step(name: str, run: Callable[[], int]) -> int:
    """Run one step; an error becomes one line and its exit code."""
    from sync.cli import exit_code_of

    try:
        return run()
    except OkrError as exc:
        click.echo(f"okr nightly: {name}: {exc}", err=True)
        return exit_code_of(exc)
    except OSError as exc:
        click.echo(f"okr nightly: {name}: {exc.strerror or exc}", err=True)
        return exit_code_of(exc)


def _refresh(ws: Workspace, as_of: datetime | None) -> int:
    if not ws.metrics:
        click.echo("refresh: no [metrics] in okr.toml; nothing to measure")
        return 0
    from sync.metrics.refresh import refresh

    kwargs = {}
    if as_of:
        kwargs["now"] = lambda: datetime.combine(as_of.date(), datetime.now().time())
    report = refresh(ws, today=as_of.date() if as_of else None, **kwargs)
    for o in report.failures:
        click.echo(f"refresh: failed {o.metric} {o.period}: {o.error}")
    for w in report.workbooks:
        if w.state == "skipped":
            click.echo(f"refresh: skipped {w.name}: {w.error}")
    for problem in report.problems:
        click.echo(f"refresh: problem {problem}")
    good = sum(o.ok for o in report.outcomes)
    click.echo(f"refresh: {good} of {len(report.outcomes)} metric value(s) measured")
    return 0 if report.ok else 1


def _check(ws: Workspace, as_of: datetime | None) -> int:
    from sync.cli.check import check_workbooks, format_text
    from sync.consolidate.outputs import company_files
    from sync.metrics.registry import load_registry
    from sync.sources.folder import workspace_files

    files = [p for _, p in workspace_files(ws, company_files(Path(ws.output).resolve()))]
    if not files:
        click.echo("check: no workbooks in the folder sources")
        return 0
    metrics = {n: m.unit for n, m in load_registry(ws).items()} if ws.metrics else None
    report = check_workbooks(
        files, settings=ws.settings, metrics=metrics, today=as_of.date() if as_of else None
    )
    click.echo(format_text(report))
    return 1 if has_errors(report.problems) else 0


def _consolidate(ws: Workspace, as_of: datetime | None, wait: float) -> int:
    from sync.consolidate.run import RunOptions, consolidate

    result = consolidate(ws, RunOptions(as_of=as_of.date() if as_of else None, wait=wait))
    click.echo(result.summary())
    return result.exit_code


@click.command()
@config_option()
@as_of_option("Run date for the metrics, the check and the consolidation")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=DEFAULT_WAIT,
    show_default=True,
    help="Seconds to wait for another run's lock before giving up (exit 1).",
)
@company_lang_option
def nightly(config: Path | None, as_of: datetime | None, wait: float, lang: str | None) -> int:
    """Refresh the metrics, check every workbook, consolidate: the nightly job.

    Every step runs even if one before it failed. Exit code: the worst of the
    steps (0 all well, 1 errors in the data or the lock busy, 2 bad input,
    3 the store, the disk or a connection failed).

    Example: okr nightly --config /srv/okr/okr.toml
    """
    ws = with_lang(load_config(config), lang)
    codes = [
        _step("refresh", lambda: _refresh(ws, as_of)),
        _step("check", lambda: _check(ws, as_of)),
        _step("consolidate", lambda: _consolidate(ws, as_of, wait)),
    ]
    return max(codes)  # the codes are ordered by how bad they are
