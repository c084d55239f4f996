"""How long does ``okr metrics refresh`` take for 1,000 metrics over 4 slow connections?

A local server (its own process) answers every request after a 50 ms delay:
two ``http`` connections (a JSON KPI API) and two ``salesforce`` connections
(the REST query endpoint, through the real simple-salesforce client). Four
department workbooks made from the template carry 250 metric-bound key results
each. The refresh measures all 1,000 metrics, records them in a SQLite store and
writes Current and As of into the four workbooks in place.

Two refreshes run: one without details and one where each metric also
captures 200 detail rows. For each: wall and CPU seconds, the ratio to the goal
(wall <= 3 s), and the network floor (the requests spread over the concurrency
allowed: ceil(requests / in flight) x 50 ms). ``--file-floor`` also times
openpyxl just loading and saving the same four workbooks.

    .venv/bin/python benchmarks/bench_metrics.py [--metrics 1000] [--delay 0.05]
        [--detail-rows 200] [--concurrency 16] [--file-floor]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import multiprocessing
import os
import shutil
import socket
import sys
import tempfile
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import department_rows, fill_template, measure  # noqa: E402
from sync.config import parse_config  # noqa: E402
from sync.metrics.measure import DEFAULT_WORKERS  # noqa: E402
from sync.metrics.refresh import refresh  # noqa: E402
from sync.xlsx.template import build_template  # noqa: E402

CONNECTIONS = ("kpi_a", "kpi_b", "crm_a", "crm_b")


def serve(port: int, delay: float, rows: int = 0) -> None:
    """Answer KPI and Salesforce query requests after *delay* seconds (runs in a child process).

    With *rows*, KPI answers carry that many detail records and a Salesforce
    query naming ``DETAIL`` answers that many records (one page).
    """
    items = [{"id": f"R-{k:05d}", "customer": f"Customer {k % 97}", "amount": 10.5 + k,
              "on": "2026-11-02"} for k in range(rows)]  # fmt: skip
    sf_detail = json.dumps({"totalSize": rows, "done": True, "records": [
        {"attributes": {"type": "Opportunity"}, "Id": r["id"], "Amount": r["amount"],
         "Account": {"Name": r["customer"]}} for r in items]}).encode()  # fmt: skip
    # encoded once: the stand-in's own work is not what is measured
    kpi_detail = json.dumps({"data": {"value": rows, "items": items}}).encode() if rows else b""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out as separate writes: without this, Nagle's
        # algorithm and the client's delayed ACK add 40 ms to every answer
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            time.sleep(delay)
            if self.path.startswith("/services/data/") and "DETAIL" in self.path:
                raw = sf_detail
            elif self.path.startswith("/services/data/"):
                record = {"attributes": {"type": "AggregateResult"}, "total": float(rows)}
                raw = json.dumps({"totalSize": 1, "done": True, "records": [record]}).encode()
            elif kpi_detail:
                raw = kpi_detail
            else:
                raw = json.dumps({"data": {"value": len(self.path), "items": []}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer.request_queue_size = 512
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(port: int, n: int, concurrency: int, detail_rows: int = 0) -> dict:
    """The okr.toml data: four connections, *n* metrics spread over them (with details)."""
    base = f"http://127.0.0.1:{port}"
    connections = {
        "kpi_a": {"kind": "http", "base_url": base, "max_concurrency": concurrency},
        "kpi_b": {"kind": "http", "base_url": base, "max_concurrency": concurrency},
        "crm_a": {"kind": "salesforce", "instance_url": base, "access_token": "${OKR_BENCH_TOKEN}",
                  "max_concurrency": concurrency},
        "crm_b": {"kind": "salesforce", "instance_url": base, "access_token": "${OKR_BENCH_TOKEN}",
                  "max_concurrency": concurrency},
    }  # fmt: skip
    metrics = {}
    for i in range(n):
        conn = CONNECTIONS[i % 4]
        if conn.startswith("kpi"):
            spec = {"url": f"/kpi/{i}?from={{start}}&to={{end}}", "path": "data.value"}
        else:
            spec = {"query": f"SELECT SUM(Amount) total FROM Opportunity WHERE Id != '{i}' "
                    "AND CloseDate >= :start AND CloseDate <= :end"}  # fmt: skip
        if detail_rows and conn.startswith("kpi"):
            spec |= {"detail_path": "data.items", "detail_total": "count"}
        elif detail_rows:
            soql = f"SELECT Id, Amount, Account.Name FROM Opportunity WHERE Id != '{i}'"
            spec |= {"detail": f"{soql} AND DETAIL AND CloseDate >= :start",
                     "detail_total": "count"}  # fmt: skip
        if detail_rows:
            spec["detail_rows"] = detail_rows
        metrics[f"m{i:04d}"] = {"connection": conn, "unit": "EUR", **spec}
    return {"connections": connections, "metrics": metrics}


def workbooks(folder: Path, n: int, books: int = 4) -> list[Path]:
    """*books* workbooks from the template whose key results use metrics m0000..m{n-1}."""
    template = build_template(folder / "template.xlsx")
    per_book = n // books
    out = []
    for b in range(books):
        rows = department_rows(f"D{b}", per_book * 5 // 4 + 1, ["CO-O1"])
        krs = [r for r in rows if r["type"] == "Key Result"][:per_book]
        for k, row in enumerate(krs):
            row["metric"] = f"m{b * per_book + k:04d}"
        out.append(fill_template(template, folder / "depts" / f"dept{b}.xlsx", rows))
    (folder / "template.xlsx").unlink()
    return out


GOAL = 3.0  # seconds of wall time, with or without details


def run_once(args: argparse.Namespace, detail_rows: int) -> dict:
    """One refresh of fresh workbooks against a fresh server; its figures."""
    port = free_port()
    server = multiprocessing.Process(
        target=serve, args=(port, args.delay, detail_rows), daemon=True
    )
    server.start()
    work = Path(tempfile.mkdtemp(prefix="okr-bench-metrics-"))
    try:
        (work / "depts").mkdir()
        files = workbooks(work, args.metrics)
        data = config(port, args.metrics, args.concurrency, detail_rows)
        data["store"] = {"url": f"sqlite:///{work / 'okr.db'}"}
        ws = parse_config(data, work)
        today = date(2026, 11, 27)
        for _ in range(50):  # wait for the server
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)

        def file_floor() -> None:
            from openpyxl import load_workbook

            for f in files:
                load_workbook(f).save(work / "floor.xlsx")

        t_files, _ = measure(file_floor) if args.file_floor else (0.0, 0)
        report = None

        def run() -> None:
            nonlocal report
            report = refresh(ws, [work / "depts"], today=today, workers=args.workers)

        gc.collect()  # the set-up's garbage is not the refresh's to collect
        before = os.times()
        t_refresh, _ = measure(run)
        after = os.times()
        cpu = sum(getattr(after, k) - getattr(before, k)
                  for k in ("user", "system", "children_user", "children_system"))  # fmt: skip
        assert report is not None
        parallel = min(args.workers, 4 * args.concurrency)
        # A Salesforce detail is a second query; an http detail rides on the same answer.
        requests = args.metrics + (args.metrics // 2 if detail_rows else 0)
        return {
            "rows": detail_rows,
            "ok": sum(o.ok for o in report.outcomes),
            "failed": len(report.failures),
            "filled": sum(w.filled for w in report.workbooks),
            "kept": sum(o.detail is not None and len(o.detail.rows) for o in report.outcomes),
            "reconciled": sum(
                o.detail is not None and o.detail.status == "reconciled" for o in report.outcomes
            ),
            "requests": requests,
            "floor": math.ceil(requests / parallel) * args.delay,
            "files": t_files,
            "wall": t_refresh,
            "cpu": cpu,
        }
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    """Time one refresh without details and one with, print the figures and the ratios."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--metrics", type=int, default=1000)
    ap.add_argument("--delay", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int, default=16, help="max_concurrency per connection")
    ap.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    ap.add_argument(
        "--detail-rows", type=int, default=200,
        help="detail records per metric in the second run (0: no second run)",
    )  # fmt: skip
    ap.add_argument(
        "--file-floor", action="store_true",
        help="also time openpyxl loading and saving the same workbooks",
    )  # fmt: skip
    args = ap.parse_args()
    os.environ.setdefault("OKR_BENCH_TOKEN", "00Dbench")
    runs = [run_once(args, 0)] + ([run_once(args, args.detail_rows)] if args.detail_rows else [])
    parallel = min(args.workers, 4 * args.concurrency)
    print(f"metrics: {args.metrics} over 4 connections, {args.delay * 1000:.0f} ms per answer")
    print(f"concurrency: {args.concurrency} per connection, {args.workers} workers "
          f"({parallel} requests in flight at most)")  # fmt: skip
    for r in runs:
        print(f"measured: {r['ok']} ok, {r['failed']} failed; {r['filled']} cells filled"
              + (f"; {r['kept']} detail rows kept, {r['reconciled']} reconciled"
                 if r["rows"] else ""))  # fmt: skip
    print(f"{'':14}{'wall s':>8}{'CPU s':>8}{'wall/3 s':>10}{'floor s':>9}{'wall/floor':>12}")
    for r in runs:
        name = f"{r['rows']} rows" if r["rows"] else "no details"
        print(f"{name:14}{r['wall']:8.3f}{r['cpu']:8.3f}{r['wall'] / GOAL:10.2f}"
              f"{r['floor']:9.3f}{r['wall'] / r['floor']:12.2f}")  # fmt: skip
    print(f"goal: wall <= {GOAL:g} s (wall/3 s <= 1.00); floor: ceil(requests / {parallel}) x "
          f"{args.delay * 1000:.0f} ms; CPU counts this process and its workbook writers "
          f"on {os.cpu_count()} cores")  # fmt: skip
    if args.file_floor:
        for r in runs:
            print(f"file floor (openpyxl load + save the 4 workbooks): {r['files']:.3f} s")


if __name__ == "__main__":
    main()
