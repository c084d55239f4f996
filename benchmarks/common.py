"""Helpers shared by the benchmarks: timing, peak memory, and filled workbooks."""

from __future__ import annotations

import subprocess
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from okr.schema import LETTER


def measure(fn: Callable[[], Any], *, memory: bool = False) -> tuple[float, int]:
    """Seconds *fn* takes (best of one run) and, with *memory*, its Python peak in bytes."""
    if memory:
        tracemalloc.start()
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    peak = 0
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return elapsed, peak


def best_process(
    cmd: list[str], repeat: int, *, cwd: Path | None = None, check: bool = False
) -> float:
    """The fastest of *repeat* runs of *cmd* as a whole process, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=check)
        times.append(time.perf_counter() - t0)
    return min(times)


def department_rows(prefix: str, n_rows: int, parent_ids: list[str]) -> list[dict[str, Any]]:
    """*n_rows* plausible rows: objectives of four key results each, aligned to *parent_ids*."""
    rows: list[dict[str, Any]] = []
    o = 0
    while len(rows) < n_rows:
        o += 1
        oid = f"{prefix}-O{o}"
        rows.append(
            {"id": oid, "type": "Objective", "parent": parent_ids[o % len(parent_ids)],
             "title": f"Objective {o} of {prefix}", "owner": f"head@{prefix.lower()}.example",
             "department": prefix, "period": "2026-Q4"}
        )  # fmt: skip
        for k in range(1, 5):
            if len(rows) >= n_rows:
                break
            rows.append(
                {"id": f"{oid}.KR{k}", "type": "Key Result", "parent": oid,
                 "title": f"Key result {k}", "owner": f"kr{k}@{prefix.lower()}.example",
                 "department": prefix, "period": "2026-Q4", "direction": "increase",
                 "unit": "EUR", "baseline": 0, "target": 100 * k, "current": 37 * k,
                 "weight": 1, "confidence": 0.7}
            )  # fmt: skip
    return rows


def checkin_rows(rows: list[dict[str, Any]], per_kr: int) -> list[tuple]:
    """*per_kr* check-ins (date, ID, value, confidence, note) for every key result of *rows*."""
    out = []
    for row in rows:
        if row.get("type") != "Key Result":
            continue
        for k in range(per_kr):
            when = date(2026, 10, 5) + timedelta(days=14 * k)
            out.append((when, row["id"], float(row.get("current") or 0) * (k + 1) / per_kr,
                        0.6, f"check-in {k + 1}"))  # fmt: skip
    return out


def fill_template(
    template: Path, out: Path, rows: list[dict[str, Any]], checkins: list[tuple] = ()
) -> Path:
    """Write *rows* (and *checkins*) into a copy of *template*, as a department head would."""
    wb = load_workbook(template)
    ws = wb["OKRs"]
    for r, row in enumerate(rows, start=2):
        for key, value in row.items():
            ws[f"{LETTER[key]}{r}"] = value
    log = wb["Check-ins"]
    for r, entry in enumerate(checkins, start=2):
        for c, value in enumerate(entry, start=1):
            log.cell(r, c, value)
    wb.save(out)
    return out
