"""How much slower is ``okr consolidate`` than just reading and writing the same rows?

Builds (once, cached in --dir) a company workbook and --workbooks department
workbooks of --rows rows each from the real template, then runs, each in its
own process so peak memory (max RSS) is measured cleanly:

- the floor: python-calamine reads every OKRs sheet and xlsxwriter writes all
  their rows to one sheet of one workbook;
- ``okr consolidate`` on a fresh store (every workbook version stored), then
  again on the next day (with a previous run: Changes and Trend have content).

Prints both times (work after start-up, as each process reports it, and the
whole command), both peaks and the ratio. Goal: ratio <= 1.3.

    .venv/bin/python benchmarks/bench_consolidate.py [--workbooks 500] [--rows 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import department_rows, fill_template  # noqa: E402

FLOOR = r"""
import json, sys, time
t0 = time.perf_counter()
from python_calamine import CalamineWorkbook
import xlsxwriter
files, out = sys.argv[2:], sys.argv[1]
start = time.perf_counter()
wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                               "strings_to_urls": False})
ws = wb.add_worksheet("All")
r = 0
for f in files:
    for row in CalamineWorkbook.from_path(f).get_sheet_by_name("OKRs").to_python():
        if any(v != "" for v in row):
            ws.write_row(r, 0, row)
            r += 1
wb.close()
print(json.dumps({"work": time.perf_counter() - start, "rows": r}))
"""

COMPANY = [
    {"id": "CO-O1", "type": "Objective", "title": "Grow", "owner": "ceo@x.example",
     "department": "Company", "period": "2026"},
    {"id": "CO-KR1.1", "type": "Key Result", "parent": "CO-O1", "title": "Revenue",
     "owner": "cfo@x.example", "department": "Company", "period": "2026",
     "direction": "increase", "baseline": 0, "target": 100, "current": 60},
    {"id": "CO-O2", "type": "Objective", "title": "Serve", "owner": "coo@x.example",
     "department": "Company", "period": "2026"},
    {"id": "CO-KR2.1", "type": "Key Result", "parent": "CO-O2", "title": "NPS",
     "owner": "coo@x.example", "department": "Company", "period": "2026",
     "direction": "increase", "baseline": 0, "target": 100, "current": 40},
]  # fmt: skip
PARENTS = ["CO-O1", "CO-KR1.1", "CO-O2", "CO-KR2.1"]


def _build_one(args: tuple[str, str, int, int]) -> str:
    template, folder, i, rows = args
    out = Path(folder) / f"dept{i:03d}.xlsx"
    if not out.exists():
        data = department_rows(f"D{i:03d}", rows, PARENTS)
        for n, row in enumerate(data):
            if n % 7 == 0:
                row["notes"] = f"Corrective action {n}: weekly review with the owner"
        fill_template(Path(template), out, data)
    return str(out)


def build(folder: Path, workbooks: int, rows: int) -> list[Path]:
    """The department workbooks (and company.xlsx), built once and reused."""
    from sync.template import build_template

    folder.mkdir(parents=True, exist_ok=True)
    template = folder.parent / "template.xlsx"
    if not template.exists():
        build_template(template)
    if not (folder / "company.xlsx").exists():
        fill_template(template, folder / "company.xlsx", COMPANY)
    jobs = [(str(template), str(folder), i, rows) for i in range(workbooks)]
    with ProcessPoolExecutor() as pool:
        files = list(pool.map(_build_one, jobs, chunksize=8))
    return [folder / "company.xlsx", *map(Path, files)]


def child(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run *cmd*; its wall time, peak RSS in bytes, and stdout."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{cmd[2:5]} failed with exit {code}: {err}")
    return wall, usage.ru_maxrss * 1024, out


def main() -> None:
    """Build the files, run floor and consolidate in child processes, print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workbooks", type=int, default=500)
    ap.add_argument("--rows", type=int, default=100)
    ap.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "okr-bench-consolidate"
    )
    ap.add_argument("--store", default="", help="store URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    data = args.dir / f"{args.workbooks}x{args.rows}"
    t0 = time.perf_counter()
    files = build(data / "departments", args.workbooks, args.rows)
    print(f"inputs: {len(files)} workbooks x {args.rows} rows in {data} "
          f"({time.perf_counter() - t0:.0f} s to build or find)")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="okr-bench-run-"))
    try:
        store = args.store or f"sqlite:///{work / 'okr.db'}"
        (work / "okr.toml").write_text(
            f'[store]\nurl = "{store}"\n[[sources]]\nkind = "folder"\n'
            f'path = "{(data / "departments").as_posix()}"\n[output]\npath = "company.xlsx"\n',
            encoding="utf-8",
        )
        for f in files:  # warm the page cache for both sides alike
            f.read_bytes()
        wall_f, rss_f, out = child([sys.executable, "-c", FLOOR, str(work / "floor.xlsx"),
                                    *map(str, files)], work)  # fmt: skip
        floor = json.loads(out)
        okr = [sys.executable, "-m", "sync.cli", "consolidate", "--config", "okr.toml"]
        okr += ["--quiet", "--format", "json"]
        runs = []
        for day in ("2026-11-15", "2026-11-16"):
            wall, rss, out = child([*okr, "--as-of", day], work)
            runs.append((wall, rss, json.loads(out)["seconds"]))
        print(f"floor (calamine reads all + xlsxwriter writes {floor['rows']} rows to one sheet):")
        print(f"    work {floor['work']:.2f} s   whole process {wall_f:.2f} s   "
              f"peak RSS {rss_f / 2**20:.0f} MB")  # fmt: skip
        for label, (wall, rss, work_s) in zip(
            ("first run, fresh store", "next day"), runs, strict=True
        ):
            print(f"okr consolidate ({label}):")
            print(f"    work {work_s:.2f} s   whole command {wall:.2f} s   ", end="")
            print(f"peak RSS {rss / 2**20:.0f} MB")
        for label, (wall, _, work_s) in zip(("first run", "next day"), runs, strict=True):
            print(f"ratio {label}: work {work_s / floor['work']:.2f}, whole {wall / wall_f:.2f}"
                  "  (goal <= 1.3)")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
