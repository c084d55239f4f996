"""How much slower is ``okr check`` than python-calamine just reading the same files?

Generates 100 workbooks x 200 rows from the template, then prints the time of
python-calamine alone reading every OKRs sheet (the floor), the time of the
check (in-process, and as the ``okr check`` command), and the ratio.
Goal: ratio <= 1.5.

    .venv/bin/python benchmarks/bench_check.py [--workbooks 100] [--rows 200]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import department_rows, fill_template, measure  # noqa: E402
from sync.cli.check import check_workbooks  # noqa: E402
from sync.xlsx.template import build_template  # noqa: E402


def floor(files: list[Path]) -> None:
    """Just read every OKRs sheet into Python values."""
    for f in files:
        CalamineWorkbook.from_path(str(f)).get_sheet_by_name("OKRs").to_python()


def main() -> None:
    """Build the files, time floor and check, print the ratio."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workbooks", type=int, default=100)
    ap.add_argument("--rows", type=int, default=200)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="okr-bench-check-"))
    try:
        template = build_template(work / "template.xlsx")
        files = []
        for i in range(args.workbooks):
            rows = department_rows(f"D{i:03d}", args.rows, ["CO-O1", "CO-O2"])
            files.append(fill_template(template, work / f"dept{i:03d}.xlsx", rows))
        floor(files)  # warm the page cache for both sides alike
        t_floor, _ = measure(lambda: floor(files))
        t_check, _ = measure(lambda: check_workbooks(files))
        cmd = [sys.executable, "-m", "sync.cli", "check", *map(str, files), "--format", "json"]
        t_cli, _ = measure(lambda: subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False))
        print(f"workbooks: {args.workbooks} x {args.rows} rows")
        print(f"floor (python-calamine reads every OKRs sheet): {t_floor:.3f} s")
        print(f"okr check, in process:                          {t_check:.3f} s")
        print(f"okr check, whole command incl. start-up:        {t_cli:.3f} s")
        print(f"ratio (in process / floor): {t_check / t_floor:.2f}  (goal <= 1.5)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
