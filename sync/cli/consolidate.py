"""``okr consolidate``: the admin's nightly job, with the progress bar and the demo fallback."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from okr.tree import CHANGE_THRESHOLD
from sync.cli.options import (
    INPUT_PATH,
    as_of_option,
    company_lang_option,
    config_option,
    format_option,
    with_lang,
)
from sync.cli.progress import progress_bar, wants_progress
from sync.cli.terminal import printable
from sync.config import Workspace, load_config
from sync.consolidate.run import DEFAULT_WAIT, RunOptions, RunResult
from sync.consolidate.run import consolidate as run_consolidation
from sync.errors import OkrError
from sync.sources import default_sources


def with_default_sources(ws: Workspace) -> tuple[Workspace, tuple[str, ...]]:
    """*ws*, or (a clone with no ``[[sources]]``) reading the example organisation; notices."""
    sources, notices = default_sources(ws)
    return (replace(ws, sources=sources) if notices else ws), notices


def result_json(result: RunResult, *, problems: bool = True) -> dict:
    """The JSON report of a run (``--format json``); without *problems*, their list is empty."""
    return {
        "run_id": result.run_id,
        "as_of": result.as_of.isoformat(),
        "output": str(result.output) if result.output else None,
        "dry_run": result.dry_run,
        "copy": str(result.copy) if result.copy else None,
        "previous": result.previous.isoformat() if result.previous else None,
        "rows": result.rows,
        "errors": result.errors,
        "warnings": result.warnings,
        "changes": result.changes,
        "seconds": round(result.seconds, 3),
        "workbooks": [
            {
                "name": s.name,
                "source": s.source,
                "state": s.state,
                "digest": s.digest,
                "since": s.since.isoformat() if s.since else None,
                "error": s.error,
            }
            for s in result.workbooks
        ],
        "problems": [p.as_dict() for p in result.problems] if problems else [],
    }


#: Stands for a list's items in the text of ``echo_json``'s payload (a string JSON escapes).
_ITEMS = "\x00items\x00"


def echo_json(payload: dict, key: str, items: Iterable[dict]) -> None:
    """Print *payload* with *items* as its *key*, as ``json.dumps(..., indent=2)`` would.

    The items are encoded one at a time: a big organisation's run has
    hundreds of thousands of problems, and their dicts and the whole text
    are not held at once.
    """
    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode
    head, tail = encode({**payload, key: [_ITEMS]}).split(encode(_ITEMS))
    click.echo(head.removesuffix("[\n    "), nl=False)
    sep = "[\n    "
    for item in items:
        # One level deeper than on its own: a list in the payload's top level.
        click.echo(sep + encode(item).replace("\n", "\n    "), nl=False)
        sep = ",\n    "
    click.echo(tail if sep != "[\n    " else "[]" + tail.removeprefix("\n  ]"))


@click.command()
@config_option()
@click.option(
    "--output",
    type=INPUT_PATH,
    help="Company workbook to write (default: [output] path of the workspace).",
)
@click.option("--quiet", is_flag=True, help="No progress bar and no summary; errors only.")
@as_of_option("Run date for status, staleness and history")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=DEFAULT_WAIT,
    show_default=True,
    help="Seconds to wait for another run's lock before exiting 1.",
)
@click.option(
    "--forget",
    multiple=True,
    metavar="WORKBOOK",
    help="A workbook no longer expected (retired department): stop reporting it missing.",
)
@click.option(
    "--change-threshold",
    type=click.FloatRange(min=0, max=1),
    default=CHANGE_THRESHOLD,
    show_default=True,
    help="List progress moves larger than this (0.05 = 5 points) in Changes.",
)
@click.option(
    "--google-sheet",
    metavar="ID_OR_URL",
    help="Also publish the company view to this Google Sheet (default: [output] google_sheet).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Record nothing in the store; write only the workbook given by --output, if any.",
)
@company_lang_option
@format_option
def consolidate(
    config: Path | None,
    output: Path | None,
    quiet: bool,
    as_of: datetime | None,
    wait: float,
    forget: tuple[str, ...],
    change_threshold: float,
    google_sheet: str | None,
    dry_run: bool,
    lang: str | None,
    fmt: str,
) -> int:
    """Merge every department workbook into one aligned company workbook.

    Reads the sources in okr.toml, falls back to the last good version of a
    workbook that is missing or broken (marked stale), checks the whole
    organisation, rolls progress up, records the run in the store and writes
    the company workbook atomically, keeping a dated copy of the previous one.

    With --dry-run nothing is recorded (Trend and Changes stay as they
    were) and only the --output workbook, if given, is written.

    Exit 0 when done with no errors in the data (warnings allowed), 1 when
    errors were found (the workbook is still written) or another run holds
    the lock, 2 when the configuration cannot be used, 3 when the store, the
    disk or the output folder failed (the previous workbook and the store are
    left as they were, or the workbook was written but publishing it to
    Google Sheets failed).

    Example: okr consolidate --config okr.toml --quiet
    """
    ws, notices = with_default_sources(with_lang(load_config(config), lang))
    options = RunOptions(
        output=output,
        as_of=as_of.date() if as_of else None,
        wait=wait,
        forget=frozenset(forget),
        threshold=change_threshold,
        dry_run=dry_run,
        notices=notices,
    )
    with progress_bar(wants_progress(quiet or fmt == "json")) as bar:
        result = run_consolidation(ws, options, progress=bar)
    code = result.exit_code
    target = None if dry_run else (google_sheet or ws.google_sheet)
    published = None
    if target:
        published, failure = publish_view(ws, target, result)
        if failure:
            click.echo(f"okr: {failure}; {result.output} was written all the same", err=True)
            code = 3
    if fmt == "json":
        payload = result_json(result, problems=False)
        if target:
            payload["google_sheet"] = published.url if published else None
        echo_json(payload, "problems", (p.as_dict() for p in result.problems))
    elif not quiet:
        click.echo(printable(result.summary()))
    elif result.errors:
        click.echo(
            f"okr: {result.errors} error(s) in the data; see the Problems sheet of {result.output}",
            err=True,
        )
    if published and not quiet and fmt != "json":
        click.echo(
            f"Published {published.rows} row(s) to {published.url} "
            f"in {published.calls} API call(s)."
        )
    return code


def publish_view(ws: Workspace, target: str, result: RunResult) -> tuple[Any, str]:
    """Publish the run's company workbook to Google Sheets: (what was done, or why not)."""
    try:
        from sync.gsheets.client import GoogleApi, GoogleConfig
        from sync.gsheets.publish import publish

        api = GoogleApi(GoogleConfig.from_workspace(ws))
        return publish(api, target, result.output, result.depths), ""
    except OkrError as exc:
        return None, f"publishing to Google Sheets failed: {exc}"
