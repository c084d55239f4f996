"""The ``okr`` command line: one subcommand per user job.

Library errors become one line on stderr and an exit code here, at the edge
only: 0 success (warnings allowed), 1 errors found in the data, 2 bad usage
or unreadable input. Never a traceback.
"""

from __future__ import annotations

import sys

import click

from sync.errors import LockedError, OkrError

EXIT_OK, EXIT_DATA, EXIT_INPUT = 0, 1, 2


class _Group(click.Group):
    """A click group that turns our errors into one line and an exit code."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except LockedError as exc:
            click.echo(f"okr: {exc}", err=True)
            ctx.exit(EXIT_DATA)
        except OkrError as exc:
            click.echo(f"okr: {exc}", err=True)
            ctx.exit(EXIT_INPUT)
        except KeyboardInterrupt:
            click.echo("okr: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="okr-sheets")
def cli() -> None:
    """okr-sheets: OKRs that live in the spreadsheets people already use."""


# Commands register here, one line each.
from sync.check_cmd import check  # noqa: E402

cli.add_command(check)
# (more commands register below)
from sync.metrics_cmd import metrics  # noqa: E402

cli.add_command(metrics)
from sync.consolidate_cmd import consolidate, schedule  # noqa: E402

cli.add_command(consolidate)
cli.add_command(schedule)
from sync.template import template  # noqa: E402

cli.add_command(template)


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
    # Commands return their exit code; click returns it (or Exit's code) here.
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
