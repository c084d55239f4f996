"""The demo: the product run end to end over the example organisation.

    python -m examples.demo [--out DIR]        (``make demo``)

One step after another, as an admin would run them:

1. build the Northwind Components workbooks from the template into
   ``DIR/org/`` (default ``demo/`` at the repo root, which git ignores);
2. ``okr check`` them together as one organisation and print the report.

The example carries deliberate problems (``examples.content.PLANTED``), so the
check finding errors is the expected outcome: the demo exits 0 then, and
non-zero only when a step could not run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from examples.build import build
from examples.content import AS_OF, ORGANISATION, PLANTED
from sync.cli import EXIT_DATA, EXIT_OK
from sync.cli import main as okr

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "demo"


def step(number: int, text: str) -> None:
    """Print the heading of one demo step."""
    print(f"\n== {number}. {text}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo steps in order; return 0 unless a step could not run."""
    parser = argparse.ArgumentParser(
        prog="python -m examples.demo",
        description=f"Run okr-sheets end to end over the {ORGANISATION} example.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"work folder for everything the demo writes (default: {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    org = args.out / "org"

    step(1, f"Build the {ORGANISATION} workbooks from the template into {org}")
    workbooks = build(org)
    for path in workbooks:
        print(f"   {path.name}")

    step(2, "okr check: the cascade across all workbooks")
    files = [str(path) for path in workbooks]
    code = okr(["check", *files, "--as-of", AS_OF.isoformat()])
    if code not in (EXIT_OK, EXIT_DATA):
        print(f"demo: okr check could not run (exit {code})", file=sys.stderr)
        return code
    print(f"\nThe example plants {len(PLANTED)} deliberate problems for the check to find")
    print("(see examples/content.py); the report above should list exactly these:")
    for planted in PLANTED:
        print(f"   {planted.code:<15} {planted.id:<14} {planted.why}")

    return 0


if __name__ == "__main__":
    sys.exit(main())
