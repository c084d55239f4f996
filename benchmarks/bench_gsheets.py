"""API calls and time of the nightly run over Google Sheets, behind the local stand-in.

--sheets department sheets of --rows rows each live in one Drive folder of
the stand-in (tests/gsheets_standin.py), which answers every call after
--latency seconds (20 ms: a fast day at Google). Prints, for a first night
(every sheet read) and a second night with --changed sheets edited:

- API calls in all and per sheet (goals: <= 1.05 per sheet the first night,
  <= --changed + 2 the second), and wall time;
- the ratio of the first night's time to a consolidation of the same rows
  read from .xlsx files in a folder.

Then the metric write-back (``okr metrics refresh``) into --writeback-sheets
sheets: API calls per sheet (goal: 2, the read and the write).

Then, unless --publish-rows 0, the company view of an organisation of that
many rows is published to a Google Sheet of the stand-in: API calls (goal:
<= 10 for 50,000 rows) and the bytes sent.

    .venv/bin/python benchmarks/bench_gsheets.py [--sheets 200] [--rows 100] [--changed 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import department_rows  # noqa: E402
from sync.config import parse_config  # noqa: E402
from sync.consolidate.run import consolidate  # noqa: E402
from tests.gsheets_standin import GoogleStandin  # noqa: E402
from tests.gsheets_wire import make_key_file  # noqa: E402
from tests.okrdata import grid  # noqa: E402
from tests.orgbuild import write_workbook  # noqa: E402

FOLDER = "1BenchFolder"
COMPANY = [
    {
        "id": f"CO-O{i}",
        "type": "Objective",
        "title": f"Company goal {i}",
        "period": "2026-Q4",
        "owner": "ceo@example.org",
        "department": "Company",
    }
    for i in (1, 2, 3)
]


def organisation(sheets: int, rows: int) -> dict[str, list[dict]]:
    """The company sheet and *sheets* department sheets of *rows* rows each."""
    parents = [c["id"] for c in COMPANY]
    org = {"company": COMPANY}
    for n in range(sheets):
        org[f"dept{n:03d}"] = department_rows(f"D{n:03d}", rows, parents)
    return org


#: [google] requests_per_minute of the runs (main sets it from --requests-per-minute)
PACE = {"limit": 100_000}


def workspace(root: Path, store: str, key: Path, api_root: str, sources: list[dict]):
    """A workspace over *sources* with the [google] settings of the stand-in."""
    return parse_config(
        {
            "organisation": {"name": "Bench"},
            "store": {"url": store},
            "sources": sources,
            "output": {"path": "company.xlsx"},
            "google": {
                "credentials": str(key),
                "api_root": api_root,
                "requests_per_minute": PACE["limit"],
            },
        },
        root,
    )


def night(standin: GoogleStandin, ws, as_of: date) -> tuple[int, float]:
    """API calls and seconds of one consolidation."""
    standin.calls.clear()
    t0 = time.perf_counter()
    consolidate(ws, as_of=as_of)
    return standin.count(), time.perf_counter() - t0


def bench_nights(args: argparse.Namespace, tmp: Path, key: Path, standin: GoogleStandin) -> None:
    org = organisation(args.sheets, args.rows)
    books = {}
    for name, rows in org.items():
        book = standin.new_book(name, [FOLDER])
        standin.put_sheet(book, "OKRs", grid(rows))
        standin.put_sheet(book, "Check-ins", [["Date", "Key result", "Value"]])
        books[name] = book
        write_workbook(tmp / "xlsx" / f"{name}.xlsx", rows)
    ws = workspace(
        tmp,
        f"sqlite:///{tmp / 'g.db'}",
        key,
        standin.url,
        [{"kind": "gsheet", "folder_id": FOLDER}],
    )
    total = len(org)
    calls1, t1 = night(standin, ws, date(2026, 11, 1))
    for name in list(books)[1 : args.changed + 1]:
        rows = org[name]
        rows[1]["current"] = 99
        standin.put_sheet(books[name], "OKRs", grid(rows))
    calls2, t2 = night(standin, ws, date(2026, 11, 2))
    xlsx = workspace(
        tmp / "xlsx-ws",
        f"sqlite:///{tmp / 'x.db'}",
        key,
        standin.url,
        [{"kind": "folder", "path": str(tmp / "xlsx")}],
    )
    t0 = time.perf_counter()
    consolidate(xlsx, as_of=date(2026, 11, 1))
    tx = time.perf_counter() - t0
    print(f"{total} sheets x {args.rows} rows, stand-in latency {args.latency * 1000:.0f} ms/call")
    print(
        f"first night : {calls1} API calls ({calls1 / total:.3f} per sheet, goal <= 1.05), "
        f"{t1:.2f} s"
    )
    print(
        f"second night: {calls2} API calls with {args.changed} sheets changed "
        f"(goal <= {args.changed + 2}), {t2:.2f} s"
    )
    print(f"same rows from .xlsx: {tx:.2f} s; first night / .xlsx = {t1 / tx:.2f}")


def bench_writeback(args: argparse.Namespace, tmp: Path, key: Path, standin: GoogleStandin) -> None:
    from sync.metrics.refresh import refresh
    from tests.test_gsheets_writeback import rows_grid
    from tests.test_refresh import NOW, ROWS, TODAY, VALUES, make_erp, query

    folder = "1WriteBackFolder"
    root = tmp / "wb"
    root.mkdir()
    make_erp(root / "erp.sqlite")
    for i in range(args.writeback_sheets):
        book = standin.new_book(f"wb{i:03d}", [folder])
        standin.put_sheet(book, "OKRs", rows_grid(ROWS))
        standin.put_sheet(book, "Check-ins", [["Date", "Key result"]])
    ws = parse_config(
        {
            "store": {"url": f"sqlite:///{root / 'okr.db'}"},
            "sources": [{"kind": "gsheet", "folder_id": folder}],
            "connections": {"erp": {"kind": "sql", "url": "sqlite:///erp.sqlite"}},
            "metrics": {n: {"connection": "erp", "query": query(n)} for n in VALUES},
            "google": {
                "credentials": str(key),
                "api_root": standin.url,
                "requests_per_minute": PACE["limit"],
            },
        },
        root,
    )
    standin.calls.clear()
    t0 = time.perf_counter()
    report = refresh(ws, today=TODAY, now=lambda: NOW)
    seconds = time.perf_counter() - t0
    written = sum(1 for w in report.workbooks if w.state == "written")
    counts = standin.counts()
    per_sheet = (standin.count() - counts["files.list"]) / max(args.writeback_sheets, 1)
    print(
        f"write-back: {written}/{args.writeback_sheets} sheets written, "
        f"{per_sheet:.2f} API calls per sheet (goal 2) + {counts['files.list']} files.list, "
        f"{seconds:.2f} s; by call: {dict(counts)}"
    )


def bench_publish(args: argparse.Namespace, tmp: Path, key: Path, standin: GoogleStandin) -> None:
    from sync.gsheets.client import GoogleApi, GoogleConfig
    from sync.gsheets.publish import publish

    parents = [c["id"] for c in COMPANY]
    per, n = 100, max(1, args.publish_rows // 100)
    folder = tmp / "big"
    write_workbook(folder / "company.xlsx", COMPANY)
    for i in range(n):
        write_workbook(folder / f"d{i:04d}.xlsx", department_rows(f"P{i:04d}", per, parents))
    ws = workspace(
        tmp / "big-ws",
        f"sqlite:///{tmp / 'p.db'}",
        key,
        standin.url,
        [{"kind": "folder", "path": str(folder)}],
    )
    result = consolidate(ws, as_of=date(2026, 11, 1))
    target = standin.new_book("Company view")
    standin.calls.clear()
    standin.bodies.clear()
    cfg = GoogleConfig(
        credentials=str(key), api_root=standin.url, requests_per_minute=PACE["limit"]
    )
    api = GoogleApi(cfg)
    t0 = time.perf_counter()
    done = publish(api, target.id, result.output, result.depths)
    seconds = time.perf_counter() - t0
    sent = sum(len(json.dumps(b, separators=(",", ":"))) for _, b in standin.bodies)
    largest = max(len(json.dumps(b, separators=(",", ":"))) for _, b in standin.bodies)
    print(
        f"publish: {result.rows} rows ({done.rows} sheet rows) in {done.calls} API calls "
        f"(goal <= 10), {sent / 1e6:.1f} MB sent, largest request {largest / 1e6:.2f} MB, "
        f"{seconds:.1f} s; by call: {dict(standin.counts())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=200)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--publish-rows", type=int, default=50_000)
    parser.add_argument("--writeback-sheets", type=int, default=20)
    parser.add_argument(
        "--requests-per-minute",
        type=int,
        default=100_000,
        help="[google] requests_per_minute of the runs (Google's quota: 60; the stand-in: none)",
    )
    args = parser.parse_args()
    PACE["limit"] = args.requests_per_minute
    print(f"[google] requests_per_minute = {args.requests_per_minute} (pacing the calls)")
    key_data = make_key_file()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        key = tmp / "key.json"
        key.write_text(json.dumps(key_data), encoding="utf-8")
        standin = GoogleStandin(latency=args.latency)
        standin.add_account(key_data)
        standin.start()
        try:
            bench_nights(args, tmp, key, standin)
            if args.writeback_sheets:
                bench_writeback(args, tmp, key, standin)
            if args.publish_rows:
                standin.latency = 0.0
                bench_publish(args, tmp, key, standin)
        finally:
            standin.stop()


if __name__ == "__main__":
    main()
