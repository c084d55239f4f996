"""``okr serve --workers 2``: the real command, its worker processes and how they stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from sync.store import tokens as token_store
from sync.store.engine import open_store
from tests.conftest import ROOT

CALL = {"args": ["increase", 100, 200, 150]}


def _state(pid: int) -> str | None:
    """The process's state letter, None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def _running(pid: int) -> bool:
    return _state(pid) not in (None, "Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return sorted(found)


def _wait_until(condition, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


class Serving:
    """``okr serve --workers 2 --port 0`` over *workspace*, its stderr kept line by line."""

    def __init__(self, workspace: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync.cli", "serve", "--config", str(workspace),
             "--port", "0", "--workers", "2"],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        first = self.proc.stderr.readline()
        self.lines.append(first)
        threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True).start()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/ \(2 workers", first)
        assert found, first
        self.url = f"http://127.0.0.1:{found.group(1)}"
        _wait_until(lambda: len(_children(self.proc.pid)) == 2, "two workers start")
        self.workers = _children(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=15)
        for pid in self.workers:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def served(workspace):
    workspace.write_text(workspace.read_text() + '[schedule]\nnightly = "02:30"\n')
    engine = open_store(f"sqlite:///{workspace.parent / 'okr.db'}")
    tokens = {
        "admin": token_store.add_token(engine, "admin", ["admin"]),
        "revoked": token_store.add_token(engine, "revoked", ["admin"]),
    }
    token_store.revoke_token(engine, "revoked")
    engine.dispose()
    serving = Serving(workspace)
    serving.tokens = tokens
    try:
        yield serving
    finally:
        serving.stop()


def test_two_workers_answer_and_sigterm_stops_them_all(served):
    for _ in range(20):  # a new connection each time, so both workers may take some
        answer = requests.post(
            f"{served.url}/api/v1/functions/OKR_PROGRESS",
            json=CALL,
            headers={"Authorization": f"Bearer {served.tokens['admin']}"},
            timeout=10,
        )
        assert answer.status_code == 200 and answer.json() == {"result": 0.5}
    for headers in ({}, {"Authorization": f"Bearer {served.tokens['revoked']}"}):
        refused = requests.post(
            f"{served.url}/api/v1/functions/OKR_PROGRESS", json=CALL, headers=headers, timeout=10
        )
        assert refused.status_code == 401
    assert requests.get(f"{served.url}/healthz", timeout=10).json()["store"] == "reachable"

    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(timeout=30) == 0
    assert not [pid for pid in served.workers if _running(pid)]


def test_only_one_worker_schedules_the_nightly_run(served):
    # A worker schedules before it logs that it is serving: once both serve, all is said.
    _wait_until(lambda: sum(" serving" in line for line in served.lines) == 2, "both workers serve")
    assert sum("nightly run scheduled at 02:30" in line for line in served.lines) == 1


def test_a_dead_worker_stops_the_service_with_exit_code_3(served):
    first, second = served.workers
    os.kill(first, signal.SIGKILL)
    assert served.proc.wait(timeout=30) == 3
    _wait_until(lambda: not _running(second), "the other worker stops")
    assert any(f"worker {first} ended (killed by SIGKILL)" in line for line in served.lines)


def test_the_workers_stop_when_their_parent_is_killed(served):
    served.proc.kill()
    served.proc.wait(timeout=15)
    _wait_until(
        lambda: not [pid for pid in served.workers if _running(pid)],
        "orphaned workers stop by themselves",
    )
