"""How fast does ``okr serve`` answer on loopback?

Starts the real ``okr serve`` (waitress) on a free port over a copy of the
example organisation, makes a token with ``okr token add``, then measures:

1. ``--clients`` concurrent clients (default 50) calling
   ``POST /functions/OKR_PROGRESS`` for ``--seconds`` (default 20):
   requests/s, p50/p99 latency, errors. Goal: zero errors, p99 <= 50 ms.
2. ``POST /functions:batch`` carrying one call over a 1,000-row column,
   one request at a time: p50/p99. Goal: p99 <= 50 ms.
3. Upload and check of a 200-row workbook
   (``POST /departments/CODE/workbook``): p50/p99. Goal: p50 <= 300 ms.

The function measurements use ``wrk`` (Debian package ``wrk``) as the load
generator when it is installed: a C client measures the server, where 50
Python threads on the same cores mostly measure their own GIL. Without it
(or with ``--python``) they fall back to Python clients; the output says
which one ran.

    .venv/bin/python benchmarks/bench_service.py [--clients 50] [--seconds 20] [--workers 2]
                                                  [--python]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import department_rows, fill_template  # noqa: E402
from sync.xlsx.template import build_template  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """The *q* quantile (0..1) of *values*, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(label: str, times: list[float], errors: int, seconds: float | None = None) -> None:
    """One line of figures in milliseconds."""
    rate = f"{len(times) / seconds:8.0f} req/s  " if seconds else ""
    print(
        f"{label:<44} {rate}n={len(times):<6} p50 {percentile(times, 0.5) * 1000:6.1f} ms  "
        f"p99 {percentile(times, 0.99) * 1000:6.1f} ms  errors {errors}"
    )


def workspace(work: Path) -> Path:
    """A workspace over the example organisation with a SQLite store."""
    shutil.copytree(ROOT / "examples" / "org", work / "departments")
    config = work / "okr.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{work / "okr.db"}"\n'
        '[[sources]]\nkind = "folder"\npath = "departments"\n'
        "[service]\nrate_limit = 0\n",
        encoding="utf-8",
    )
    return config


def start(config: Path, port: int, threads: int, workers: int = 1) -> subprocess.Popen:
    """``okr serve`` in its own process, once it answers /healthz."""
    okr = [sys.executable, "-m", "sync.cli", "serve", "--config", str(config), "--port", str(port)]
    if workers > 1:
        okr += ["--workers", str(workers)]
    server = subprocess.Popen(
        [*okr, "--threads", str(threads)],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("okr serve did not start")


def hammer(url: str, token: str, clients: int, seconds: float) -> None:
    """*clients* threads posting OKR_PROGRESS until the time is up."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    body = json.dumps({"args": ["increase", 100, 200, 150]}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    host, port = url.rsplit("/", 1)[-1].split(":")

    def client() -> None:
        # http.client with keep-alive: the lightest client, so the figures are the server's.
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        mine, bad = [], 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/functions/OKR_PROGRESS", body, headers)
                answer = conn.getresponse()
                answer.read()
                ok = answer.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
                ok = False
            mine.append(time.perf_counter() - t0)
            bad += not ok
        with lock:
            times.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report(
        f"OKR_PROGRESS, {clients} concurrent clients", times, errors[0], time.perf_counter() - t0
    )


#: wrk's script: every request the same POST with the bearer token.
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("OKR_BENCH_TOKEN")
local f = assert(io.open(os.getenv("OKR_BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
"""
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def with_wrk(label: str, url: str, token: str, body: bytes, connections: int, seconds: float):
    """*connections* keep-alive connections of ``wrk`` posting *body* for *seconds*."""
    work = Path(tempfile.mkdtemp(prefix="okr-bench-wrk-"))
    try:
        (work / "post.lua").write_text(WRK_SCRIPT, encoding="utf-8")
        (work / "body.json").write_bytes(body)
        env = {"OKR_BENCH_TOKEN": token, "OKR_BENCH_BODY": str(work / "body.json")}
        out = subprocess.run(
            ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
             "--timeout", "10s", "-s", str(work / "post.lua"), url],
            capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", **env},
        ).stdout  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    done = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # Anchored: "72.50%" in the thread stats line must not read as the 50th percentile.
    p50 = _seconds(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))
    p99 = _seconds(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)  # fmt: skip
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    print(
        f"{label:<44} {rate:8.0f} req/s  n={done:<6} p50 {p50 * 1000:6.1f} ms  "
        f"p99 {p99 * 1000:6.1f} ms  errors {errors}"
    )


def sequential(label: str, send, n: int) -> None:
    """*n* requests one after another; *send* returns True when the answer was right."""
    times, errors = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        errors += not send()
        times.append(time.perf_counter() - t0)
    report(label, times, errors)


def main() -> None:
    """Start the service, run the three measurements, print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--batches", type=int, default=200)
    ap.add_argument("--uploads", type=int, default=30)
    ap.add_argument("--threads", type=int, default=16, help="okr serve --threads")
    ap.add_argument("--workers", type=int, default=1, help="okr serve --workers")
    ap.add_argument("--python", action="store_true", help="Python clients even if wrk is here")
    args = ap.parse_args()
    wrk = None if args.python else shutil.which("wrk")
    work = Path(tempfile.mkdtemp(prefix="okr-bench-service-"))
    port = free_port()
    server = None
    try:
        config = workspace(work)
        made = subprocess.run(
            [
                sys.executable,
                "-m",
                "sync.cli",
                "token",
                "add",
                "bench",
                "--scope",
                "admin",
                "--config",
                str(config),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        token = made.stdout.strip().splitlines()[-1]
        rows = department_rows("BENCH", 200, ["CO-O1", "CO-O2"])
        book = fill_template(build_template(work / "template.xlsx"), work / "bench.xlsx", rows)
        data = book.read_bytes()
        server = start(config, port, args.threads, args.workers)
        url = f"http://127.0.0.1:{port}"
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        print(f"okr serve on {url} (waitress, {args.workers} worker(s), SQLite store)")
        column = [[i / 10] for i in range(1000)]
        batch = {"calls": [{"function": "OKR_PROGRESS", "args": ["increase", 0, 100, column]}]}
        if wrk:
            print(f"load generator: wrk ({wrk})")
            one = json.dumps({"args": ["increase", 100, 200, 150]}).encode()
            with_wrk(f"OKR_PROGRESS, {args.clients} concurrent clients",
                     f"{url}/api/v1/functions/OKR_PROGRESS", token, one, args.clients,
                     args.seconds)  # fmt: skip
            with_wrk("functions:batch, one 1,000-row column, 1 client",
                     f"{url}/api/v1/functions:batch", token, json.dumps(batch).encode(), 1,
                     max(5.0, args.seconds / 2))  # fmt: skip
        else:
            print("load generator: Python threads (http.client; install wrk to measure the server)")
            hammer(url, token, args.clients, args.seconds)
            body = json.dumps(batch)
            json_headers = {"Content-Type": "application/json"}
            sequential(
                "functions:batch, one 1,000-row column",
                lambda: (
                    session.post(
                        f"{url}/api/v1/functions:batch", data=body, headers=json_headers, timeout=10
                    ).ok
                ),
                args.batches,
            )
        sequential(
            "upload and check, a 200-row workbook",
            lambda: (
                session.post(
                    f"{url}/api/v1/departments/bench/workbook",
                    data=data,
                    headers={"Content-Type": XLSX},
                    timeout=30,
                ).status_code
                == 201
            ),
            args.uploads,
        )
        print("goals: zero errors and p99 <= 50 ms for the functions; p50 <= 300 ms for uploads")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
