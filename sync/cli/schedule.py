"""``okr schedule``: print the crontab line and systemd units for the nightly run."""

from __future__ import annotations

import getpass
import shlex
import shutil
import sys
from pathlib import Path

import click

from sync.cli.options import config_option
from sync.config import load_config


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
