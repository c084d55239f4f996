"""One run at a time, across real processes, on SQLite and PostgreSQL stores."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync.errors import LockedError
from sync.store.lock import lock_file, lock_key, run_lock
from tests.conftest import ROOT
from tests.orgbuild import clean_rows, make_org, write_config

HOLD = """
import sys, time
from sync.store.lock import run_lock
with run_lock(sys.argv[1], timeout=float(sys.argv[3])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def hold(url: str, seconds: float, wait: float = 0) -> subprocess.Popen:
    """Start a process that takes the lock and keeps it *seconds*; return once it holds it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, url, str(seconds), str(wait)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    assert ready, "the lock holder did not start"
    assert proc.stdout.readline().strip() == "locked", proc.stderr.read()
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_a_second_taker_waits_then_fails_with_a_clear_message(store_url):
    holder = hold(store_url, 30)
    try:
        start = time.monotonic()
        with pytest.raises(LockedError) as info, run_lock(store_url, timeout=0.6):
            pass
        waited = time.monotonic() - start
        assert 0.5 <= waited < 10
        message = str(info.value)
        assert "another okr-consolidate run holds the lock" in message
        assert "--wait" in message and "(pid " in message  # who holds it
        if store_url.startswith("sqlite"):
            assert f"(pid {holder.pid} since" in message
    finally:
        stop(holder)


def test_the_lock_dies_with_a_killed_holder(store_url):
    holder = hold(store_url, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    start = time.monotonic()
    with run_lock(store_url, timeout=10):
        assert time.monotonic() - start < 5


def test_a_waiting_taker_gets_the_lock_when_the_holder_finishes(store_url):
    holder = hold(store_url, 1.0)
    try:
        start = time.monotonic()
        with run_lock(store_url, timeout=30):
            waited = time.monotonic() - start
        assert 0.3 < waited < 20
    finally:
        stop(holder)


def test_the_lock_is_free_again_after_the_block(store_url):
    with run_lock(store_url, timeout=0):
        pass
    with run_lock(store_url, timeout=0):
        pass
    waiter = hold(store_url, 0, wait=5)  # another process takes it at once
    stop(waiter)


def test_sqlite_lock_file_sits_beside_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'okr.db'}"
    assert lock_file(url).parent == tmp_path
    assert lock_key("a") != lock_key("b") and -(2**63) <= lock_key("a") < 2**63


def cli(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sync.cli",
            "consolidate",
            "--config",
            str(root / "okr.toml"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=root,
        timeout=timeout,
    )


def test_okr_consolidate_exits_1_when_another_run_holds_the_lock(tmp_path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    write_config(tmp_path, store_url)
    holder = hold(store_url, 60)
    try:
        done = cli(tmp_path, "--wait", "0.5")
    finally:
        stop(holder)
    assert done.returncode == 1
    assert done.stderr.startswith("okr: another okr-consolidate run holds the lock")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "company.xlsx").exists()


def test_two_consolidations_started_together_run_one_after_the_other(tmp_path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    write_config(tmp_path, store_url)
    args = [sys.executable, "-m", "sync.cli", "consolidate", "--config", "okr.toml"]
    args += ["--wait", "120", "--as-of", "2026-11-16"]
    procs = [
        subprocess.Popen(
            args, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    from sync.store import history as run_history
    from sync.store.engine import open_store

    engine = open_store(store_url)
    try:
        runs = run_history.list_runs(engine)
        assert [r.as_of.isoformat() for r in runs] == ["2026-11-16"]  # idempotent: one run
        assert len(run_history.nodes_by_id(engine, runs[0].id)) == 16
    finally:
        engine.dispose()
    # The second run kept the first one's workbook as a dated copy and replaced it.
    assert (tmp_path / "out" / "company.xlsx").exists()
    assert [p.name for p in (tmp_path / "out" / "company-copies").iterdir()] == [
        "company-2026-11-16.xlsx"
    ]
    assert not list((tmp_path / "out").glob(".*.tmp"))
