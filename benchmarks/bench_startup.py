"""How long does ``okr --help`` take, and what does it import?

Runs ``okr --help`` (the console script beside this Python, else
``python -m sync.cli``) --repeat times and prints the best time, the best
time of a bare ``python -c pass`` for comparison, and the heavy libraries
the help loads (none should be). Goal: ``okr --help`` under 100 ms.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import best_process  # noqa: E402

HEAVY = ("sqlalchemy", "xlsxwriter", "openpyxl", "pandas", "python_calamine", "requests", "rich")


def main() -> None:
    """Time the help and a bare interpreter; list heavy imports."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    script = Path(sys.executable).with_name("okr")
    okr = [str(script)] if script.exists() else [sys.executable, "-m", "sync.cli"]
    if not script.exists() and shutil.which("okr"):
        okr = [shutil.which("okr")]
    bare = best_process([sys.executable, "-c", "pass"], args.repeat, cwd=ROOT, check=True)
    help_ = best_process([*okr, "--help"], args.repeat, cwd=ROOT, check=True)
    code = (
        "import sys; sys.argv = ['okr', '--help']\n"
        "from sync.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    loaded = out.stderr.strip()
    print(f"python -c pass:  {bare * 1000:.0f} ms (best of {args.repeat})")
    print(f"okr --help:      {help_ * 1000:.0f} ms (best of {args.repeat}; goal < 100 ms)")
    print(f"heavy libraries loaded by the help: {loaded or 'none'}")


if __name__ == "__main__":
    main()
