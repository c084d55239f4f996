"""``okr schedule``: print the crontab line and systemd units for ``okr nightly``.

The unit counts exit 1 (errors in the department data, the workbook still
written; or another run had the lock and does the night) as success; 2 (bad
configuration or input) and 3 (store, disk or output failed) fail the unit.
"""

from __future__ import annotations

import getpass
import shlex
import shutil
import sys
from pathlib import Path

import click

from sync.cli.options import config_option
from sync.config import CONFIG_NAME, load_config
from sync.errors import ConfigError


def _okr_command() -> str:
    exe = shutil.which("okr")
    if exe:
        return shlex.quote(str(Path(exe).resolve()))
    return f"{shlex.quote(sys.executable)} -m sync.cli"


def schedule_text(root: Path, config: Path, at: str, what: str) -> str:
    """The crontab line and/or the systemd service and timer for ``okr nightly``.

    *root* is the workspace folder the job runs in; *config* its okr.toml.
    """
    hour, minute = (int(x) for x in at.split(":"))
    command = f"{_okr_command()} nightly --config {shlex.quote(str(config))}"
    logs = root / ".okr"
    log = logs / "nightly.log"
    parts = []
    if what in ("cron", "all"):
        parts.append(
            "# crontab -e, then add this line (every night; output and errors go to the log):\n"
            f"{minute} {hour} * * * cd {shlex.quote(str(root))} && "
            f"mkdir -p {shlex.quote(str(logs))} && {command} >> {shlex.quote(str(log))} 2>&1\n"
        )
    if what in ("systemd", "all"):
        parts.append(
            "# /etc/systemd/system/okr-nightly.service\n"
            "[Unit]\n"
            "Description=okr-sheets: nightly metrics refresh, check and consolidation\n"
            "Wants=network-online.target\n"
            "After=network-online.target\n"
            "\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"User={getpass.getuser()}\n"
            f"WorkingDirectory={root}\n"
            f"ExecStart={command}\n"
            "# Exit 1: errors in the department data (the workbook was still written)\n"
            "# or another run held the lock. Remove this line to mark such nights failed.\n"
            "# Exit 2 (bad configuration) and 3 (store, disk, output) always fail.\n"
            "SuccessExitStatus=1\n"
            "TimeoutStartSec=2h\n"
        )
        parts.append(
            "# /etc/systemd/system/okr-nightly.timer\n"
            "[Unit]\n"
            "Description=Run okr nightly every night\n"
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
            "sudo systemctl enable --now okr-nightly.timer\n"
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
    """Print a crontab line and a systemd service + timer for ``okr nightly``.

    Nothing is installed: copy what fits your server. The paths are absolute,
    so the job runs the same from cron's bare environment. Needs an okr.toml.

    Example: okr schedule --config /srv/okr/okr.toml --at 02:30 --format systemd
    """
    ws = load_config(config)  # fail now, not at 02:30, when the file is wrong
    if ws.path is None:
        raise ConfigError(
            f"no {CONFIG_NAME} in {Path.cwd()}: the nightly job needs one; "
            "pass --config PATH or run this in the workspace folder"
        )
    click.echo(schedule_text(ws.root.resolve(), ws.path.resolve(), at, what), nl=False)
    return 0
