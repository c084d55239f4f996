"""SIGKILL at any moment leaves the workbook and the history agreeing, and the next run mends.

Real processes, killed two ways: at named checkpoints (``OKR_TEST_KILL_AT``,
deterministic: after reading, after writing the temporary workbook, inside
the store transaction before it commits, after the commit (the run is
pending), after the dated copy, after the rename) and at timed moments
through a bigger run.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from sync.consolidate.checkpoints import CHECKPOINTS, KILL_ENV
from sync.store import history as run_history
from sync.store import schema
from sync.store.engine import open_store, sqlite_path
from tests.conftest import ROOT
from tests.okrdata import kr, obj
from tests.orgbuild import clean_rows, make_org, write_config, write_workbook

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
#: killed after the rename: the new workbook is in place, its run pending until the next run
RENAMED = {"renamed"}
OKR = [sys.executable, "-m", "sync.cli", "consolidate", "--config", "okr.toml"]


def start(root: Path, as_of: str, kill_at: str = "") -> subprocess.Popen:
    env = dict(ENV)
    if kill_at:
        env[KILL_ENV] = kill_at
    return subprocess.Popen(
        [*OKR, "--as-of", as_of, "--wait", "0", "--quiet"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(root: Path, as_of: str, kill_at: str = "") -> subprocess.CompletedProcess:
    proc = start(root, as_of, kill_at)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def store_state(url: str) -> list[tuple[str, int, int]]:
    """(date, rows recorded, node rows stored) per run; both counts agree when intact."""
    if sqlite_path(url):
        con = sqlite3.connect(sqlite_path(url))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
    engine = open_store(url)
    try:
        out = []
        with engine.connect() as conn:
            for r in run_history.list_runs(engine):
                nodes = conn.execute(
                    select(func.count())
                    .select_from(schema.run_nodes)
                    .where(schema.run_nodes.c.run_id == r.id)
                ).scalar_one()
                rows = conn.execute(
                    select(schema.runs.c.rows).where(schema.runs.c.id == r.id)
                ).scalar_one()
                out.append((r.as_of.isoformat(), rows, nodes))
        return out
    finally:
        engine.dispose()


@pytest.fixture
def org(tmp_path, store_url):
    rows = clean_rows()
    make_org(tmp_path / "departments", rows)
    write_config(tmp_path, store_url)
    first = run(tmp_path, "2026-11-01")
    assert first.returncode == 0, first.stderr
    # Change a department so the next run would write something different.
    rows["sales.xlsx"][1]["current"] = 95
    write_workbook(tmp_path / "departments" / "sales.xlsx", rows["sales.xlsx"])
    return tmp_path


@pytest.mark.parametrize("point", CHECKPOINTS)
def test_killed_at_a_checkpoint_the_previous_output_and_store_survive(org, store_url, point):
    output = org / "out" / "company.xlsx"
    before = output.read_bytes()
    killed = run(org, "2026-11-08", kill_at=point)
    assert killed.returncode == -signal.SIGKILL
    if point in RENAMED:
        assert output.read_bytes() != before
    else:
        assert output.read_bytes() == before  # the previous workbook, untouched
    # The history shows the previous run only: a run recorded but killed before
    # its workbook was in place is pending, and pending runs are not history.
    assert store_state(store_url) == [("2026-11-01", 16, 16)]
    # The lock died with the process, and the next run completes and cleans up.
    again = run(org, "2026-11-08")
    assert again.returncode == 0, again.stderr
    assert output.read_bytes() != before
    assert not list(output.parent.glob(".*.tmp"))
    assert store_state(store_url) == [("2026-11-01", 16, 16), ("2026-11-08", 16, 16)]
    copies = sorted(p.name for p in (output.parent / "company-copies").iterdir())
    assert copies[-1] in ("company-2026-11-01.xlsx", "company-2026-11-08.xlsx")
    assert not [c for c in copies if c.startswith(".")]


def test_killed_at_random_moments_of_a_bigger_run(tmp_path, store_url, monkeypatch):
    system_tmp = tmp_path / "system-tmp"  # nothing of a run may land (and stay) there
    system_tmp.mkdir()
    monkeypatch.setitem(ENV, "TMPDIR", str(system_tmp))
    folder = tmp_path / "departments"
    make_org(folder, clean_rows())
    for d in range(60):
        rows = [obj(f"D{d}-O{o}", "CO-O1", department=f"Dept {d}") for o in range(5)]
        rows += [kr(f"D{d}-KR{o}.{k}", f"D{d}-O{o}", department=f"Dept {d}", current=10 * k)
                 for o in range(5) for k in range(4)]  # fmt: skip
        write_workbook(folder / f"dept{d:02}.xlsx", rows)
    write_config(tmp_path, store_url)
    t0 = time.monotonic()
    assert run(tmp_path, "2026-11-01").returncode == 0
    duration = time.monotonic() - t0
    output = tmp_path / "out" / "company.xlsx"
    good = output.read_bytes()
    for n, fraction in enumerate((0.15, 0.3, 0.45, 0.6, 0.75, 0.9)):
        proc = start(tmp_path, f"2026-11-{n + 2:02}")
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        data = output.read_bytes()
        if data != good:  # the rename happened just before the kill: a whole new workbook
            book = CalamineWorkbook.from_path(output)
            assert "Company" in book.sheet_names
            good = data
        for _, rows, nodes in store_state(store_url):
            assert rows == nodes
    final = run(tmp_path, "2026-11-30")
    assert final.returncode == 0, final.stderr
    assert not list(output.parent.glob(".*.tmp"))
    assert not list(system_tmp.iterdir())
