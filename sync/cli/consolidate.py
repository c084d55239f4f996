"""``okr consolidate`` and ``okr schedule``: the admin's nightly job and how to schedule it."""

from __future__ import annotations

import getpass
import json
import shlex
import shutil
import sys
from datetime import datetime
from pathlib import Path

import click

from okr.tree import CHANGE_THRESHOLD
from sync.cli_options import as_of_option, config_option, format_option
from sync.config import load_config
from sync.consolidate import DEFAULT_WAIT, RunResult
from sync.consolidate import consolidate as run_consolidation


def result_json(result: RunResult) -> dict:
    """The JSON report of a run (``--format json``)."""
    return {
        "run_id": result.run_id,
        "as_of": result.as_of.isoformat(),
        "output": str(result.output),
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
        "problems": [p.as_dict() for p in result.problems],
    }


@click.command()
@config_option()
@click.option(
    "--output",
    type=click.Path(path_type=Path),
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
@format_option
def consolidate(
    config: Path | None,
    output: Path | None,
    quiet: bool,
    as_of: datetime | None,
    wait: float,
    forget: tuple[str, ...],
    change_threshold: float,
    fmt: str,
) -> int:
    """Merge every department workbook into one aligned company workbook.

    Reads the sources in okr.toml, falls back to the last good version of a
    workbook that is missing or broken (marked stale), checks the whole
    organisation, rolls progress up, records the run in the store and writes
    the company workbook atomically, keeping a dated copy of the previous one.

    Exit 0 when done with no errors in the data (warnings allowed), 1 when
    errors were found (the workbook is still written) or another run holds
    the lock, 2 when the configuration or the store cannot be used.

    Example: okr consolidate --config okr.toml --quiet
    """
    ws = load_config(config)
    result = run_consolidation(
        ws,
        output=output,
        as_of=as_of.date() if as_of else None,
        quiet=quiet or fmt == "json",
        wait=wait,
        forget=forget,
        threshold=change_threshold,
    )
    if fmt == "json":
        click.echo(json.dumps(result_json(result), ensure_ascii=False, indent=2))
    elif not quiet:
        click.echo(result.summary())
    elif result.errors:
        click.echo(
            f"okr: {result.errors} error(s) in the data; see the Problems sheet of {result.output}",
            err=True,
        )
    return result.exit_code


def _okr_command() -> str:
    exe = shutil.which("okr")
    if exe:
        return shlex.quote(str(Path(exe).resolve()))
    return f"{shlex.quote(sys.executable)} -m sync.cli"


def schedule_text(root: Path, config: Path | None, at: str, what: str) -> str:
    """The crontab line and/or the systemd service and timer for the nightly run.

    *root* is the workspace folder the job runs in; *config* its okr.toml, if any.
    """
    hour, minute = (int(x) for x in at.split(":"))
    command = f"{_okr_command()} consolidate"
    if config is not None:
        command += f" --config {shlex.quote(str(config))}"
    command += " --quiet"
    log = root / ".okr" / "consolidate.log"
    parts = []
    if what in ("cron", "all"):
        parts.append(
            "# crontab -e, then add this line (runs every night; errors go to the log):\n"
            f"{minute} {hour} * * * cd {shlex.quote(str(root))} && {command} "
            f">> {shlex.quote(str(log))} 2>&1\n"
        )
    if what in ("systemd", "all"):
        parts.append(
            "# /etc/systemd/system/okr-consolidate.service\n"
            "[Unit]\n"
            "Description=okr-sheets: nightly OKR consolidation\n"
            "Wants=network-online.target\n"
            "After=network-online.target\n"
            "\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"User={getpass.getuser()}\n"
            f"WorkingDirectory={root}\n"
            f"ExecStart={command}\n"
            "# Exit 1 means errors were found in the department data; the workbook\n"
            "# was still written. Remove this line to have such nights marked failed.\n"
            "SuccessExitStatus=1\n"
            "TimeoutStartSec=2h\n"
        )
        parts.append(
            "# /etc/systemd/system/okr-consolidate.timer\n"
            "[Unit]\n"
            "Description=Run okr consolidate every night\n"
            "\n"
            "[Timer]\n"
            f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
            "Persistent=true\n"
            "RandomizedDelaySec=5min\n"
            "\n"
            "[Install]\n"
            "WantedBy=timers.target\n"
            "\n"
            "# then: sudo systemctl daemon-reload && "
            "sudo systemctl enable --now okr-consolidate.timer\n"
        )
    return "\n".join(parts)


def _at(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        hour, minute = (int(x) for x in value.split(":"))
    except ValueError:
        raise click.BadParameter("use HH:MM, e.g. 02:30") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise click.BadParameter("use HH:MM between 00:00 and 23:59")
    return value


@click.command()
@config_option("Workspace file the nightly run uses")
@click.option("--at", default="02:30", show_default=True, callback=_at, help="Time of day, HH:MM.")
@click.option(
    "--format",
    "what",
    type=click.Choice(["all", "cron", "systemd"]),
    default="all",
    show_default=True,
)
def schedule(config: Path | None, at: str, what: str) -> int:
    """Print a crontab line and a systemd service + timer for the nightly consolidation.

    Nothing is installed: copy what fits your server. The paths are absolute,
    so the job runs the same from cron's bare environment.

    Example: okr schedule --config /srv/okr/okr.toml --at 02:30 --format systemd
    """
    ws = load_config(config)  # fail now, not at 02:30, when the file is wrong
    path = ws.path.resolve() if ws.path else None
    click.echo(schedule_text(ws.root.resolve(), path, at, what), nl=False)
    return 0
