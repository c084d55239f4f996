"""The add-ins against a local ``okr serve``: a 1,000-row OKR.PROGRESS column.

    python benchmarks/bench_addins.py [--rows 1000] [--repeat 5]

Starts the service on the example organisation (tests/live_service.py), then
in Node (benchmarks/addins.js) recalculates a column of OKR.PROGRESS through
the Office.js functions (one call per cell, batched by the add-in) and through
the Apps Script function (one call with whole ranges), counting the requests
that reach the service. The floor is the same work POSTed straight to the
service: the batch route for Office.js, the range call for Apps Script.
Goal: 1 request and at most 100 ms for each. The Office.js time includes the
add-in's 50 ms batching window, which it waits for by design. Needs
``npm ci`` in addin/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_service import started  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print requests, times and ratios to the floor."""
    parser = argparse.ArgumentParser(prog="bench_addins.py")
    parser.add_argument("--rows", type=int, default=1000, help="rows in the column")
    parser.add_argument("--repeat", type=int, default=10, help="runs of each; the best is shown")
    args = parser.parse_args(argv)
    node = shutil.which("node")
    if node is None:
        print("bench_addins: node is not installed", file=sys.stderr)
        return 2
    with started() as info:
        if "unavailable" in info:
            print(f"bench_addins: {info['unavailable']}", file=sys.stderr)
            return 3
        done = subprocess.run(
            [node, str(ROOT / "benchmarks" / "addins.js"), info["url"],
             info["tokens"]["reader"], str(args.rows), str(args.repeat)],
            capture_output=True, text=True, check=True, timeout=600,
        )  # fmt: skip
    report(json.loads(done.stdout))
    return 0


def report(found: dict) -> None:
    """Print the figures: requests and best/median wall time, and the ratio to the floor."""
    rows = found["rows"]
    print(f"{rows}-row OKR.PROGRESS column, best of {found['repeat']} (median in brackets)")
    lines = [
        ("floor: functions:batch POST", found["floor"], None),
        ("Office.js: 1 call per cell, batched", found["office"], found["floor"]),
        ("floor: one range POST", found["gasFloor"], None),
        ("Apps Script: 1 call with ranges", found["gas"], found["gasFloor"]),
    ]
    for name, run, floor in lines:
        ratio = f"  x{run['best_ms'] / floor['best_ms']:.2f} the floor" if floor else ""
        print(
            f"  {name:<38} {run['requests']:>3} request(s)  {run['best_ms']:7.1f} ms"
            f"  ({run['median_ms']:.1f}){ratio}"
        )


if __name__ == "__main__":
    sys.exit(main())
