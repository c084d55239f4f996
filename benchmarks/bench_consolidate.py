"""How much slower is ``okr consolidate`` than just reading and writing the same rows?

Builds (once, cached in --dir) a company workbook and --workbooks department
workbooks of --rows rows each from the real template, then runs, each in its
own process so peak memory (max RSS) is measured cleanly:

- the floor: python-calamine reads every OKRs and Check-ins sheet (the sheets
  okr consolidate reads) and xlsxwriter writes all their rows to one sheet of
  one workbook; once on one thread, and once reading on as many threads as
  the consolidation reads with (``sync.sources.folder.PARSE_THREADS``), the
  fair floor; reading keeps at most twice as many workbooks ahead of the
  writing as it has threads, so the floor's memory is what reading and
  writing need, not how far one got ahead of the other;
- ``okr consolidate`` on a fresh store (every workbook version stored), then
  again on the next day (with a previous run: Changes and Trend have content).

Floor and runs alternate --repeat times (default 3) and the best of each is
kept: on a shared machine noise only ever adds. Prints the times (work
after start-up, as each process reports it, and the whole command), the
peaks and the ratios against both floors. Goals: ratio against the parallel
floor <= 1.3; peak memory (the highest of all runs) <= 3x the lowest peak of
any floor at 500 x 100, <= 400 MB at 2,000 x 100 (``--workbooks 2000``).

    .venv/bin/python benchmarks/bench_consolidate.py [--workbooks 500] [--rows 100] [--repeat 3]
        [--checkins 2]
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import checkin_rows, department_rows, fill_template  # noqa: E402

FLOOR = r"""
import json, sys, time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
t0 = time.perf_counter()
from python_calamine import CalamineWorkbook
import xlsxwriter
out, threads, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
start = time.perf_counter()
wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                               "strings_to_urls": False})
ws = wb.add_worksheet("All")
r = 0
def read(f):
    book = CalamineWorkbook.from_path(f)
    # the same sheets okr consolidate reads
    return [row for sheet in ("OKRs", "Check-ins") if sheet in book.sheet_names
            for row in book.get_sheet_by_name(sheet).to_python()]
# A few workbooks read ahead, no more: the floor's memory does not depend on how
# far reading gets ahead of writing on a given day.
ahead = deque()
def write(keep):
    global r
    while len(ahead) > keep:
        for row in ahead.popleft().result():
            if any(v != "" for v in row):
                ws.write_row(r, 0, row)
                r += 1
with ThreadPoolExecutor(max_workers=threads) as pool:
    for f in files:
        ahead.append(pool.submit(read, f))
        write(2 * threads)
    write(0)
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


def _build_one(args: tuple[str, str, int, int, int]) -> str:
    template, folder, i, rows, checkins = args
    out = Path(folder) / f"dept{i:03d}.xlsx"
    if not out.exists():
        data = department_rows(f"D{i:03d}", rows, PARENTS)
        for n, row in enumerate(data):
            if n % 7 == 0:
                row["notes"] = f"Corrective action {n}: weekly review with the owner"
        fill_template(Path(template), out, data, checkin_rows(data, checkins))
    return str(out)


def build(folder: Path, workbooks: int, rows: int, checkins: int = 2) -> list[Path]:
    """The department workbooks (and company.xlsx), built once and reused."""
    from sync.xlsx.template import build_template

    folder.mkdir(parents=True, exist_ok=True)
    template = folder.parent / "template.xlsx"
    if not template.exists():
        build_template(template)
    if not (folder / "company.xlsx").exists():
        fill_template(template, folder / "company.xlsx", COMPANY)
    jobs = [(str(template), str(folder), i, rows, checkins) for i in range(workbooks)]
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
    ap.add_argument(
        "--store",
        default="",
        help="a scratch store URL: its tables are dropped before each repetition "
        "(default: a fresh SQLite file)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="repetitions; the best of each is shown")
    ap.add_argument("--checkins", type=int, default=2, help="check-ins per key result")
    ap.add_argument(
        "--inputs",
        type=Path,
        help="a folder of department workbooks to use as they are (nothing is built)",
    )
    args = ap.parse_args()
    data = args.dir / f"{args.workbooks}x{args.rows}x{args.checkins}c"
    t0 = time.perf_counter()
    if args.inputs:
        data = args.inputs.parent
        files = sorted(args.inputs.glob("*.xlsx"))
    else:
        files = build(data / "departments", args.workbooks, args.rows, args.checkins)
    print(f"inputs: {len(files)} workbooks x {args.rows} rows, {args.checkins} check-ins per "
          f"key result, in {data} "
          f"({time.perf_counter() - t0:.0f} s to build or find)")  # fmt: skip
    for f in files:  # warm the page cache for both sides alike
        f.read_bytes()
    # Floor and runs alternate, each the best of --repeat: on a shared machine noise only adds.
    from sync.sources.folder import PARSE_THREADS

    floors, pfloors, firsts, nexts = [], [], [], []
    for _ in range(args.repeat):
        floor, pfloor, first, nxt = once(data / "departments", files, args.store, PARSE_THREADS)
        floors.append(floor)
        pfloors.append(pfloor)
        firsts.append(first)
        nexts.append(nxt)
    floor, pfloor, first, nxt = best(floors), best(pfloors), best(firsts), best(nexts)
    print(f"best of {args.repeat} runs each (work, seconds: floor {seconds(floors)}, "
          f"parallel floor {seconds(pfloors)}, first run {seconds(firsts)}, "
          f"next day {seconds(nexts)})")  # fmt: skip
    for label, f in (("1 thread", floor), (f"{PARSE_THREADS} threads", pfloor)):
        print(f"floor, reading on {label} (calamine reads all + xlsxwriter writes {f.rows} rows):")
        print(f"    work {f.work:.2f} s   whole process {f.wall:.2f} s   "
              f"peak RSS {f.rss / 2**20:.0f} MB")  # fmt: skip
    for label, run in (("first run, fresh store", first), ("next day", nxt)):
        print(f"okr consolidate ({label}):")
        print(f"    work {run.work:.2f} s   whole command {run.wall:.2f} s   ", end="")
        print(f"peak RSS {run.rss / 2**20:.0f} MB")
    for label, run in (("first run", first), ("next day", nxt)):
        for name, f in (("floor", floor), ("parallel floor", pfloor)):
            goal = "  (goal <= 1.3)" if name == "parallel floor" else ""
            print(f"ratio {label} / {name}: work {run.work / f.work:.2f}, "
                  f"whole {run.wall / f.wall:.2f}{goal}")  # fmt: skip
    for label, run in (("first run", first), ("next day", nxt)):
        print(f"peak memory {label}: {run.rss / 2**20:.0f} MB = {run.rss / floor.rss:.1f}x the "
              f"floor's, {run.rss / pfloor.rss:.1f}x the parallel floor's")  # fmt: skip
    # The highest peak of any run against the lowest of any floor: the least that
    # reading and writing the same rows needed (a reading thread's malloc arena
    # sometimes adds 50 MB to a floor, and the fastest floor is not the leanest).
    peak = max(r.rss for r in firsts + nexts)
    least = min(f.rss for f in floors + pfloors)
    print(f"peak memory: {peak / 2**20:.0f} MB (highest of all runs) = {peak / least:.1f}x "
          f"the lowest floor's {least / 2**20:.0f} MB")  # fmt: skip
    print("goals: <= 3x at 500 x 100, <= 400 MB at 2,000 x 100")


@dataclass(frozen=True)
class Run:
    """One measured process: work seconds (as it reports), wall seconds, peak RSS, rows."""

    work: float
    wall: float
    rss: int
    rows: int = 0


def best(runs: list[Run]) -> Run:
    """The fastest run (by work)."""
    return min(runs, key=lambda r: r.work)


def seconds(runs: list[Run]) -> str:
    """The work times of *runs*, for the record."""
    return " ".join(f"{r.work:.2f}" for r in runs)


def once(
    folder: Path, files: list[Path], store_url: str, threads: int
) -> tuple[Run, Run, Run, Run]:
    """The floors (1 and *threads* threads), then okr consolidate on a fresh store and next day."""
    work = Path(tempfile.mkdtemp(prefix="okr-bench-run-"))
    try:
        store = store_url or f"sqlite:///{work / 'okr.db'}"
        if store_url:
            _empty_store(store_url)
        (work / "okr.toml").write_text(
            f'[store]\nurl = "{store}"\n[[sources]]\nkind = "folder"\n'
            f'path = "{folder.as_posix()}"\n[output]\npath = "company.xlsx"\n',
            encoding="utf-8",
        )
        floor_runs = []
        for n in (1, threads):
            wall, rss, out = child([sys.executable, "-c", FLOOR, str(work / "floor.xlsx"), str(n),
                                    *map(str, files)], work)  # fmt: skip
            floor = json.loads(out)
            floor_runs.append(Run(floor["work"], wall, rss, floor["rows"]))
        okr = [sys.executable, "-m", "sync.cli", "consolidate", "--config", "okr.toml"]
        okr += ["--quiet", "--format", "json"]
        runs = []
        for day in ("2026-11-15", "2026-11-16"):
            wall, rss, out = child([*okr, "--as-of", day], work)
            runs.append(Run(json.loads(out)["seconds"], wall, rss))
        return floor_runs[0], floor_runs[1], runs[0], runs[1]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _empty_store(url: str) -> None:
    """Drop every table of the store at *url*, so each repetition starts fresh."""
    from sync.store.engine import make_engine
    from sync.store.schema import metadata

    engine = make_engine(url)
    try:
        metadata.drop_all(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
