"""The demo: the nightly job run end to end over the example organisation.

    python -m examples.demo [--out DIR] [--as-of 2026-11-16] [--weeks 4]   (``make demo``)

One step after another, as an admin would run them:

1. build the Northwind Components workbooks from the template into
   ``DIR/org/`` (default ``demo/`` at the repo root, which git ignores), with
   their Metric cells bound to the demo ERP and exports;
2. seed history: for each of the previous ``--weeks`` weeks, the departments
   send the sheets they had then (corrective actions in Notes appear on the
   day they were taken), the demo ERP holds the figures booked by then, and
   the nightly job runs: ``okr metrics refresh`` then ``okr consolidate``;
3. the night of ``--as-of``: build the ERP, ``okr metrics refresh`` and show
   the key results it filled, ``okr check``, ``okr consolidate``;
4. print the path of the company workbook.

Run it again with a later ``--as-of`` and the Trend and Changes sheets show
what moved since. The example carries deliberate problems
(``examples.content.PLANTED``), so the check and the consolidation finding
errors is the expected outcome: the demo exits 0 then, and non-zero only when
a step could not run.
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import io
import re
import shutil
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook

from examples.build import build
from examples.content import AS_OF, ORGANISATION, PLANTED
from examples.erp import build_erp
from examples.okr_toml import write_demo_config
from okr.reading import find_header
from sync.cli import EXIT_DATA, EXIT_OK
from sync.cli import main as okr
from sync.xlsx.reading import find_okr_sheet, read_workbook

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "demo"
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
_EN_DATE = re.compile(r"^(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2}):")
_ZH_DATE = re.compile(r"^(?P<mon>\d{1,2})月(?P<day>\d{1,2})日")


def step(number: int | str, text: str) -> None:
    """Print the heading of one demo step."""
    print(f"\n== {number}. {text}", flush=True)


def run(args: list[str], *, quiet: bool = False) -> int:
    """Run one ``okr`` command; stop the demo when it could not run at all.

    With *quiet* its output is shown only when it failed.
    """
    out = io.StringIO()
    if quiet:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = okr(args)
    else:
        code = okr(args)
    if code not in (EXIT_OK, EXIT_DATA):
        print(out.getvalue(), end="")
        raise SystemExit(f"demo: okr {args[0]} could not run (exit {code})")
    return code


def note_date(note: str, year: int) -> date | None:
    """The date a note starts with ("Nov 3: ..." or "11月5日：..."), else None."""
    m = _EN_DATE.match(note) or _ZH_DATE.match(note)
    if not m:
        return None
    mon = m.group("mon")
    return date(year, _MONTHS.get(mon) or int(mon), int(m.group("day")))


def as_sent_on(pristine: Path, target: Path, day: date) -> None:
    """Copy a workbook as its department had it on *day*: later notes not yet written."""
    wb = load_workbook(pristine)
    ws = wb[find_okr_sheet(wb.sheetnames) or "OKRs"]
    grid = [[c.value for c in row] for row in ws.iter_rows(max_row=2)]
    header, cols = find_header(grid)
    notes_col = cols["notes"] + 1
    for r in range(header + 2, ws.max_row + 1):
        cell = ws.cell(r, notes_col)
        when = note_date(str(cell.value or ""), day.year)
        if when and when > day:
            cell.value = None
    wb.save(target)


def nightly(org: Path, config: Path, day: date, *, quiet: bool) -> None:
    """One night: the ERP as booked by *day*, refresh the metrics, consolidate."""
    build_erp(org, today=day)
    flags = ["--config", str(config), "--as-of", day.isoformat()]
    run(["metrics", "refresh", *flags], quiet=quiet)
    run(["consolidate", *flags], quiet=quiet)


def show_filled(workbooks: Sequence[Path]) -> None:
    """Print the key results the refresh filled, with value and As of."""
    print(f"   {'ID':<14} {'Metric':<26} {'Current':>14}  As of")
    for path in workbooks:
        for item in read_workbook(path).items:
            if item.metric:
                when = f"{item.as_of:%Y-%m-%d %H:%M}" if item.as_of else "-"
                state = f" ({item.metric_state})" if item.metric_state else ""
                value = f"{item.current:,.2f}" if isinstance(item.current, float) else item.current
                print(f"   {item.id:<14} {item.metric:<26} {value!s:>14}  {when}{state}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo steps in order; return 0 unless a step could not run."""
    parser = argparse.ArgumentParser(
        prog="python -m examples.demo",
        description=f"Run okr-sheets end to end over the {ORGANISATION} example.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="work folder")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=AS_OF,
        help=f"the simulated night (default {AS_OF})",
    )
    parser.add_argument("--weeks", type=int, default=4, help="weeks of history to seed first")
    args = parser.parse_args(argv)
    org, pristine = args.out / "org", args.out / "sent"

    step(1, f"Build the {ORGANISATION} workbooks from the template into {pristine}")
    shutil.rmtree(pristine, ignore_errors=True)
    sent = build(pristine, with_metrics=True)
    org.mkdir(parents=True, exist_ok=True)
    for path in sent:
        print(f"   {path.name}")
    config = write_demo_config(org)
    print(f"   workspace file: {config}")

    days = [args.as_of - timedelta(weeks=w) for w in range(args.weeks, 0, -1)]
    step(2, f"Seed history: the nightly job on {', '.join(map(str, days))}")
    for day in days:
        for path in sent:
            as_sent_on(path, org / path.name, day)
        nightly(org, config, day, quiet=True)
        print(f"   {day}: metrics refreshed, company workbook consolidated")

    step(3, f"The night of {args.as_of}: refresh the metrics from the demo ERP and exports")
    for path in sent:
        as_sent_on(path, org / path.name, args.as_of)
    build_erp(org, today=args.as_of)
    flags = ["--config", str(config), "--as-of", args.as_of.isoformat()]
    run(["metrics", "refresh", *flags])
    workbooks = [org / p.name for p in sent]
    show_filled(workbooks)

    step(4, "okr check: the cascade across all workbooks")
    run(["check", *map(str, workbooks), *flags])
    print(f"\nThe example plants {len(PLANTED)} deliberate problems for the check to find")
    print("(see examples/content.py); the report above lists exactly these:")
    for planted in PLANTED:
        print(f"   {planted.code:<15} {planted.id:<14} {planted.why}")

    step(5, "okr consolidate: the company workbook")
    run(["consolidate", *flags])
    output = org / "consolidated" / "company.xlsx"
    print(f"\nCompany workbook: {output}")
    print("\nServe the demo organisation (API, add-in functions, dashboard) with:")
    print(f"   okr token add demo-admin --scope admin --config {config}")
    print(f"   okr serve --config {config}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
