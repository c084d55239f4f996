"""How much slower is ``okr check`` than python-calamine just reading the same files?

Generates 100 workbooks x 200 rows from the template, then times, as whole
processes (start-up included), a Python process that only reads every OKRs
sheet with python-calamine (the floor) and the ``okr check`` command on the
same files; best of --repeat each. Also the check in this process against
the floor in this process. ``okr check`` reads the files on
``PARSE_THREADS`` threads, as the consolidation does, so the floor is also
timed reading on as many threads: the fair ratio on a machine with a free
core. Prints the ratios. Goal: whole-process ratio <= 1.5.

    .venv/bin/python benchmarks/bench_check.py [--workbooks 100] [--rows 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import best_process, department_rows, fill_template, measure  # noqa: E402
from sync.cli.check import check_workbooks  # noqa: E402
from sync.sources.folder import PARSE_THREADS  # noqa: E402
from sync.xlsx.template import build_template  # noqa: E402


def floor(files: list[Path]) -> None:
    """Just read every OKRs sheet into Python values."""
    for f in files:
        CalamineWorkbook.from_path(str(f)).get_sheet_by_name("OKRs").to_python()


FLOOR = (
    "import sys\n"
    "from concurrent.futures import ThreadPoolExecutor\n"
    "from python_calamine import CalamineWorkbook\n"
    "def read(f):\n"
    "    CalamineWorkbook.from_path(f).get_sheet_by_name('OKRs').to_python()\n"
    "with ThreadPoolExecutor(max_workers=int(sys.argv[1])) as pool:\n"
    "    list(pool.map(read, sys.argv[2:]))\n"
)


def main() -> None:
    """Build the files, time floor and check, print the ratio."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workbooks", type=int, default=100)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="okr-bench-check-"))
    try:
        template = build_template(work / "template.xlsx")
        files = []
        for i in range(args.workbooks):
            rows = department_rows(f"D{i:03d}", args.rows, ["CO-O1", "CO-O2"])
            files.append(fill_template(template, work / f"dept{i:03d}.xlsx", rows))
        floor(files)  # warm the page cache for both sides alike
        t_floor = min(measure(lambda: floor(files))[0] for _ in range(args.repeat))
        t_check = min(measure(lambda: check_workbooks(files))[0] for _ in range(args.repeat))
        names = list(map(str, files))
        p_floor = best_process([sys.executable, "-c", FLOOR, "1", *names], args.repeat, cwd=ROOT)
        threads = str(PARSE_THREADS)
        p_par = best_process([sys.executable, "-c", FLOOR, threads, *names], args.repeat, cwd=ROOT)
        okr = [sys.executable, "-m", "sync.cli", "check", *names, "--format", "json"]
        p_check = best_process(okr, args.repeat, cwd=ROOT)
        print(f"workbooks: {args.workbooks} x {args.rows} rows, best of {args.repeat}")
        print(f"floor, in process (python-calamine reads every OKRs sheet): {t_floor:.3f} s")
        print(f"okr check, in process:                                      {t_check:.3f} s")
        print(f"floor, whole process (python + calamine + the reads):       {p_floor:.3f} s")
        on = f"floor, whole process, reading on {PARSE_THREADS} threads:"
        print(f"{on:<60}{p_par:.3f} s")
        print(f"okr check, whole command incl. start-up:                    {p_check:.3f} s")
        print(f"ratio in process: {t_check / t_floor:.2f}")
        print(f"ratio whole processes: {p_check / p_floor:.2f}  (goal <= 1.5)")
        print(f"ratio whole processes / floor on as many threads: {p_check / p_par:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
