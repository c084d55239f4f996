"""An upload while a consolidation runs is in that run or the next, never half of it.

The run is held at a checkpoint in a thread (before it reads its sources, or
after), a new version of a department is uploaded through the API meanwhile,
and every typed value of that department's rows in the run's company workbook
is compared with each version: it is one of them entirely.
"""

from __future__ import annotations

import io
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sync.config import load_config
from sync.consolidate.checkpoints import PAUSE_ENV, PAUSE_FILE_ENV
from sync.consolidate.run import RunOptions, consolidate
from sync.service import create_app
from sync.store import tokens as token_store
from sync.store.engine import open_store
from tests.service.conftest import ORG, bearer, make_workspace

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The typed columns of a department row, as both the workbook and the company sheet head them.
TYPED = ("ID", "Type", "Parent", "Title", "Owner", "Department", "Period", "Direction", "Unit",
         "Baseline", "Target", "Current", "Weight", "Confidence", "Metric", "Notes")  # fmt: skip
DAY = date.today()


def _second_version() -> bytes:
    """sales.xlsx with every row's Title and every numeric Current changed."""
    book = openpyxl.load_workbook(ORG / "sales.xlsx")
    sheet = book["OKRs"]
    heads = [c.value for c in sheet[1]]
    title, current = heads.index("Title") + 1, heads.index("Current") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value:
            sheet.cell(row, title).value = f"{sheet.cell(row, title).value} (v2)"
            value = sheet.cell(row, current).value
            if isinstance(value, int | float):
                sheet.cell(row, current).value = value + 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(head: str, value):
    if head == "Weight" and value in (None, ""):  # blank weighs 1: the company sheet says so
        return 1.0
    if value is None:
        return ""
    if head == "Parent":  # the workbook's list shows "ID · title"; the company sheet the ID
        return str(value).split(" ")[0]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return str(value).strip()


def _rows(grid: list[list], header_row: int) -> list[tuple]:
    heads = [str(h) for h in grid[header_row]]
    at = [heads.index(h) for h in TYPED]
    return [
        tuple(_cell(h, r[i]) for h, i in zip(TYPED, at, strict=True))
        for r in grid[header_row + 1 :]
        if r and r[0] not in (None, "")
    ]


def _typed(data: bytes) -> list[tuple]:
    """Every row of the OKRs sheet of *data*, its typed columns only."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return _rows(book.get_sheet_by_name("OKRs").to_python(skip_empty_area=False), 0)


def _in_run(output: Path) -> list[tuple]:
    """The Sales sheet of a company workbook, the same columns."""
    grid = CalamineWorkbook.from_path(str(output)).get_sheet_by_name("Sales").to_python()
    return _rows(grid, next(k for k, r in enumerate(grid) if r and r[0] == "ID"))


@pytest.fixture
def served(tmp_path, store_url):
    """(workspace, test client, admin token) over an ``uploads`` source."""
    path = make_workspace(tmp_path, store_url)
    path.write_text(
        path.read_text().replace('kind = "folder"\npath = "departments"', 'kind = "uploads"')
    )
    ws = load_config(path)
    client = create_app(ws, {"TESTING": True}).test_client()
    engine = open_store(ws.store_url)
    token = token_store.add_token(engine, "admin", ["admin"])
    engine.dispose()
    return ws, client, token


def _upload(client, token: str, code: str, data: bytes) -> int:
    answer = client.post(
        f"/api/v1/departments/{code}/workbook", data=data, content_type=XLSX,
        headers=bearer(token),
    )  # fmt: skip
    assert answer.status_code == 201, answer.json
    return answer.json["version"]


@pytest.mark.parametrize("held_at, expect", [("sources", "new"), ("read", "old")])
def test_an_upload_during_a_run_is_in_that_run_or_the_next_never_half(
    served, tmp_path, monkeypatch, held_at, expect
):
    ws, client, token = served
    old, new = (ORG / "sales.xlsx").read_bytes(), _second_version()
    versions = {"old": _typed(old), "new": _typed(new)}
    assert versions["old"] != versions["new"] and len(versions["old"]) == len(versions["new"])
    for code in ("company", "sales"):
        _upload(client, token, code, (ORG / f"{code}.xlsx").read_bytes())
    marker = tmp_path / "pause"
    monkeypatch.setenv(PAUSE_ENV, held_at)
    monkeypatch.setenv(PAUSE_FILE_ENV, str(marker))
    done: dict = {}

    def run() -> None:
        try:
            done["result"] = consolidate(ws, RunOptions(as_of=DAY - timedelta(days=1)))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            done["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 60
    while not marker.with_suffix(".reached").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.with_suffix(".reached").exists(), done
    assert _upload(client, token, "sales", new) == 2  # lands while the run is held
    marker.with_suffix(".go").touch()
    worker.join(120)
    assert not worker.is_alive() and "error" not in done, done
    got = _in_run(done["result"].output)
    assert got in (versions["old"], versions["new"])  # entirely one version, every value
    assert got == versions[expect]
    monkeypatch.delenv(PAUSE_ENV)
    following = consolidate(ws, RunOptions(as_of=DAY))
    assert _in_run(following.output) == versions["new"]
