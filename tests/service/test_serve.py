"""``okr serve`` as a user starts it: the real command on a free port."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import requests

from tests.conftest import ROOT


def test_okr_serve_answers_health_and_stops(workspace):
    server = subprocess.Popen(
        [sys.executable, "-m", "sync.cli", "serve", "--config", str(workspace), "--port", "0"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stderr.readline()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.json()["store"] == "reachable"
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/runs", timeout=5).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_okr_serve_with_a_bad_config_exits_2(tmp_path):
    bad = tmp_path / "okr.toml"
    bad.write_text("[service]\nnope = 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "sync.cli", "serve", "--config", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "nope" in done.stderr and "Traceback" not in done.stderr


def test_settling_freezes_the_heap_and_collects_the_young_less_often():
    # In a fresh interpreter: the freeze and the thresholds are process-wide.
    code = (
        "import gc; from sync.service.heap import settle, YOUNG_THRESHOLD\n"
        "from sync.service import create_app\n"
        "before = gc.get_threshold()\n"
        "settle()\n"
        "young, *older = gc.get_threshold()\n"
        "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()\n"
        "assert young == YOUNG_THRESHOLD and older == list(before[1:])\n"
        "gc.collect()  # cycles are still collected\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr
