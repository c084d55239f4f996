"""The ``okr`` command line: one subcommand per user job.

Library errors become one line on stderr and an exit code here, at the edge
only: 0 success (warnings allowed), 1 errors found in the data or the lock
busy, 2 bad usage or unreadable input, 3 an operational failure outside the
data (store, disk, output folder). Never a traceback.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import click

from sync.cli.terminal import printable
from sync.errors import LockedError, OkrError, ServiceError, os_reason

EXIT_OK, EXIT_DATA, EXIT_INPUT, EXIT_OPERATIONAL = 0, 1, 2, 3


#: Every command: name -> ("module:attribute", one-line help). Commands are
#: imported only when run, so ``okr --help`` loads none of their libraries.
COMMANDS: dict[str, tuple[str, str]] = {
    "addin": ("sync.cli.addin:addin", "Add-in files for Excel and Google Sheets."),
    "check": ("sync.cli.check:check", "Check OKR workbooks together: cascade, targets, owners."),
    "consolidate": (
        "sync.cli.consolidate:consolidate",
        "Merge every department workbook into one aligned company workbook.",
    ),
    "init": ("sync.cli.init:init", "Start a workspace: okr.toml, departments/, the template."),
    "metrics": ("sync.cli.metrics:metrics", "Live key-result values from ERP, HRIS and CRM."),
    "remind": (
        "sync.cli.remind:remind",
        "E-mail owners whose key results need an update.",
    ),
    "rollover": (
        "sync.cli.rollover:rollover",
        "Write next period's workbooks, unfinished objectives carried over.",
    ),
    "nightly": (
        "sync.cli.nightly:nightly",
        "The nightly job: refresh metrics, check, consolidate; the worst exit code.",
    ),
    "schedule": ("sync.cli.schedule:schedule", "Print a crontab line and systemd units."),
    "serve": ("sync.cli.serve:serve", "Serve the API, the add-ins' functions and the dashboard."),
    "token": ("sync.cli.token:token", "Make, list and revoke the service's API tokens."),
    "template": ("sync.cli.template:template", "Write a blank OKR workbook for a department."),
}


def exit_code_of(exc: BaseException) -> int:
    """The exit code for an error: 1 lock busy, 3 operational, 2 other input errors."""
    if isinstance(exc, LockedError):
        return EXIT_DATA
    if isinstance(exc, (ServiceError, OSError)):
        return EXIT_OPERATIONAL
    return EXIT_INPUT


class _Group(click.Group):
    """The ``okr`` group: commands loaded lazily, our errors turned into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, sorted."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command *cmd_name*, or None when there is none."""
        found = COMMANDS.get(cmd_name)
        if found is None:
            return None
        module, _, attr = found[0].partition(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their one-line help, without importing them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        """Run the command; our errors become ``okr: <message>`` and an exit code."""
        try:
            # Libraries warn for their developers (xlsxwriter about URLs, pandas
            # about dtypes, openpyxl about extensions); what a user must know
            # comes back as our own messages and problems instead.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return super().invoke(ctx)
        except LockedError as exc:
            click.echo(f"okr: {printable(exc)}", err=True)
            ctx.exit(EXIT_DATA)
        except ServiceError as exc:
            click.echo(f"okr: {printable(exc)}", err=True)
            ctx.exit(EXIT_OPERATIONAL)
        except OkrError as exc:
            click.echo(f"okr: {printable(exc)}", err=True)
            ctx.exit(EXIT_INPUT)
        except OSError as exc:  # the last net: a file operation the library did not expect
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(
                f"okr: cannot use{where}: {os_reason(exc)}; free space or fix the permissions "
                "and run again",
                err=True,
            )
            ctx.exit(EXIT_OPERATIONAL)
        except KeyboardInterrupt:
            click.echo("okr: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="okr-sheets")
def cli() -> None:
    """okr-sheets: OKRs that live in the spreadsheets people already use."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``okr`` console script; returns the exit code."""
    # ``okr = "sync.cli:main"``: setuptools' wrapper passes our return to sys.exit.
    try:
        result = cli.main(args=argv, prog_name="okr", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except click.exceptions.Abort:
        click.echo("okr: aborted", err=True)
        return EXIT_INPUT
    except MemoryError:
        click.echo("okr: out of memory; the input is too large for this machine", err=True)
        return EXIT_OPERATIONAL
    except Exception as exc:  # noqa: BLE001 - the last edge: one line, never a traceback
        reason = printable(f"{type(exc).__name__}: {exc}")[:200]
        click.echo(
            f"okr: unexpected error ({reason}); please report it with the command you ran",
            err=True,
        )
        return EXIT_OPERATIONAL
    # Commands return their exit code; click returns it (or Exit's code) here.
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
