"""Failures outside the data exit 3 with one line, and leave the previous output and store intact.

Each case breaks a real thing: a store URL to a closed port, a PostgreSQL
backend ended mid-run, a read-only store folder or file, a read-only output
folder, a full disk under the output and under the store.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sync.consolidate.checkpoints import PAUSE_ENV, PAUSE_FILE_ENV
from tests.conftest import ROOT
from tests.mounts import fill, read_only, small_disk
from tests.okrdata import kr
from tests.orgbuild import clean_rows, make_org, write_config, write_workbook

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def okr(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sync.cli", *args],
        cwd=root,
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
    )


def consolidate(root: Path, as_of: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return okr(root, "consolidate", "--as-of", as_of, "--quiet", "--wait", "5", env=env)


def assert_operational(done: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 3, one line on stderr starting ``okr:``, no traceback, naming *words*."""
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("okr: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def history(url: str) -> list[str]:
    from sync.store import history as run_history
    from sync.store.engine import open_store

    engine = open_store(url)
    try:
        return [r.as_of.isoformat() for r in run_history.list_runs(engine)]
    finally:
        engine.dispose()


def paused_run(workspace: Path, as_of: str, point: str) -> tuple[subprocess.Popen, Path]:
    """Start ``okr consolidate`` and wait until it holds at *point*; touch ``.go`` to resume."""
    marker = workspace / "pause"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.cli", "consolidate", "--as-of", as_of, "--quiet"],
        cwd=workspace,
        env={**ENV, PAUSE_ENV: point, PAUSE_FILE_ENV: str(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not marker.with_suffix(".reached").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return proc, marker


def resume(proc: subprocess.Popen, marker: Path) -> subprocess.CompletedProcess:
    """Let a run held by :func:`paused_run` go on, and wait for it."""
    marker.with_suffix(".go").touch()
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def org(tmp_path: Path, store_url: str) -> Path:
    """A workspace that ran once (2026-11-01), with a change waiting for the next run."""
    rows = clean_rows()
    make_org(tmp_path / "departments", rows)
    write_config(tmp_path, store_url)
    first = consolidate(tmp_path, "2026-11-01")
    assert first.returncode == 0, first.stderr
    rows["sales.xlsx"][1]["current"] = 95
    write_workbook(tmp_path / "departments" / "sales.xlsx", rows["sales.xlsx"])
    return tmp_path


def test_a_store_url_to_a_closed_port_exits_3(tmp_path: Path):
    make_org(tmp_path / "departments", clean_rows())
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/okr"
    write_config(tmp_path, url)
    done = consolidate(tmp_path, "2026-11-01")
    assert_operational(done, "store", "127.0.0.1")
    assert not (tmp_path / "out").exists()
    refresh = okr(tmp_path, "metrics", "refresh")
    assert refresh.returncode in (2, 3)  # no [metrics] here: bad usage comes first


@pytest.mark.parametrize("point", ["written", "commit", "recorded"])
def test_a_postgresql_backend_ended_mid_run_stops_the_run_with_exit_3(
    tmp_path: Path, postgres_url: str, point: str
):
    rows = clean_rows()
    make_org(tmp_path / "departments", rows)
    write_config(tmp_path, postgres_url)
    assert consolidate(tmp_path, "2026-11-01").returncode == 0
    output = tmp_path / "out" / "company.xlsx"
    before = output.read_bytes()
    proc, marker = paused_run(tmp_path, "2026-11-08", point)
    database = postgres_url.rsplit("/", 1)[1]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": database},
        )
    admin.dispose()
    done = resume(proc, marker)
    assert_operational(done, "store")
    assert output.read_bytes() == before
    assert history(postgres_url) == ["2026-11-01"]
    again = consolidate(tmp_path, "2026-11-08")
    assert again.returncode == 0, again.stderr
    assert history(postgres_url) == ["2026-11-01", "2026-11-08"]


def test_a_lost_lock_is_said_as_such(tmp_path: Path, postgres_url: str):
    make_org(tmp_path / "departments", clean_rows())
    write_config(tmp_path, postgres_url)
    proc, marker = paused_run(tmp_path, "2026-11-01", "written")
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # only the session holding this database's advisory lock
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = :d)"
            ),
            {"d": postgres_url.rsplit("/", 1)[1]},
        )
        # A second run can take the lock now; the first must not go on beside it.
    admin.dispose()
    done = resume(proc, marker)
    assert_operational(done, "lock", "lost")
    assert not (tmp_path / "out" / "company.xlsx").exists()
    assert history(postgres_url) == []


def test_a_read_only_store_folder_exits_3(tmp_path: Path):
    store = tmp_path / "store"
    store.mkdir()
    url = f"sqlite:///{store / 'okr.db'}"
    make_org(tmp_path / "departments", clean_rows())
    write_config(tmp_path, url)
    with read_only(store):
        done = consolidate(tmp_path, "2026-11-01")
    assert_operational(done, str(store))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_store_on_a_read_only_file_exits_3_and_keeps_output_and_store(org: Path, store_url):
    output = org / "out" / "company.xlsx"
    before = output.read_bytes()
    db = Path(store_url.removeprefix("sqlite:///"))
    for extra in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        extra.unlink(missing_ok=True)  # checkpointed at close: the database file is all
    with read_only(db):
        done = consolidate(org, "2026-11-08")
    assert_operational(done, "store")
    assert output.read_bytes() == before
    assert history(store_url) == ["2026-11-01"]


def test_a_read_only_output_folder_exits_3_and_keeps_the_output(org: Path, store_url: str):
    folder = org / "out"
    before = (folder / "company.xlsx").read_bytes()
    with read_only(folder):
        done = consolidate(org, "2026-11-08")
    assert_operational(done, "out")
    assert (folder / "company.xlsx").read_bytes() == before
    assert history(store_url) == ["2026-11-01"]


def test_a_full_disk_under_the_output_exits_3_and_keeps_the_output(tmp_path: Path, store_url):
    make_org(tmp_path / "departments", clean_rows())
    write_config(tmp_path, store_url)
    with small_disk(tmp_path / "out", "256k") as folder:
        assert consolidate(tmp_path, "2026-11-01").returncode == 0
        before = (folder / "company.xlsx").read_bytes()
        fill(folder)
        done = consolidate(tmp_path, "2026-11-08")
        assert_operational(done, "No space left")
        assert (folder / "company.xlsx").read_bytes() == before
        assert not list(folder.glob(".*.tmp"))
    assert history(store_url) == ["2026-11-01"]


def test_a_full_disk_under_the_store_exits_3_and_keeps_output_and_store(tmp_path: Path):
    rows = clean_rows()
    # Enough rows that recording them needs pages the full disk no longer has.
    rows["sales.xlsx"] += [
        kr(f"SALES-KR9.{k}", "SALES-O1", title="x" * 400, notes="y" * 400) for k in range(200)
    ]
    make_org(tmp_path / "departments", rows)
    with small_disk(tmp_path / "store", "2m") as store:
        url = f"sqlite:///{store / 'okr.db'}"
        write_config(tmp_path, url)
        assert consolidate(tmp_path, "2026-11-01").returncode == 0
        output = tmp_path / "out" / "company.xlsx"
        before = output.read_bytes()
        saved = store.parent / "okr-before.db"
        fill(store)
        done = consolidate(tmp_path, "2026-11-08")
        assert_operational(done, "store")
        assert output.read_bytes() == before
        (store / "filler").unlink()
        shutil.copy(store / "okr.db", saved)
        assert history(url) == ["2026-11-01"]


def test_metrics_refresh_with_an_unreachable_store_changes_no_workbook(tmp_path: Path):
    from sync.errors import StoreError
    from sync.metrics.refresh import refresh
    from tests.test_refresh import NOW, TODAY, make_erp
    from tests.test_refresh import fill as fill_template
    from tests.test_refresh import workspace as refresh_workspace

    make_erp(tmp_path / "erp.sqlite")
    book = fill_template(tmp_path / "depts" / "sales.xlsx", REFRESH_ROWS)
    before = book.read_bytes()
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/okr"
    with pytest.raises(StoreError, match=r"127\.0\.0\.1"):
        refresh(refresh_workspace(tmp_path, store=url), today=TODAY, now=lambda: NOW)
    assert book.read_bytes() == before


def test_metrics_refresh_finishes_its_workbooks_when_the_store_fails_at_the_end(tmp_path: Path):
    from openpyxl import load_workbook
    from sqlalchemy.pool import NullPool

    from sync.errors import StoreError
    from sync.metrics.refresh import refresh
    from sync.store.engine import open_store
    from tests.test_refresh import NOW, TODAY, make_erp
    from tests.test_refresh import fill as fill_template
    from tests.test_refresh import workspace as refresh_workspace

    make_erp(tmp_path / "erp.sqlite")
    book = fill_template(tmp_path / "depts" / "sales.xlsx", REFRESH_ROWS)
    store = tmp_path / "store"
    url = f"sqlite:///{store / 'okr.db'}"
    open_store(url).dispose()
    engine = create_engine(url, poolclass=NullPool)  # each use a new connection: after the
    try:  # read-only mount below, recording fails as on a store gone read-only mid-run
        with read_only(store), pytest.raises(StoreError, match="record metric values"):
            refresh(refresh_workspace(tmp_path, store=url), today=TODAY, now=lambda: NOW,
                    engine=engine)  # fmt: skip
    finally:
        engine.dispose()
    # The workbook was finished: written whole, with its values, and its backup kept.
    assert load_workbook(book)["OKRs"]["L3"].value == 40
    assert (book.parent / "sales.xlsx.bak").exists()
    assert not list(book.parent.glob(".*.tmp"))


def _refresh_rows():
    from tests.test_refresh import ROWS

    return ROWS


REFRESH_ROWS = _refresh_rows()


def test_a_template_into_a_read_only_folder_exits_3(tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder):
        done = okr(tmp_path, "template", "-o", str(folder / "t.xlsx"))
    assert_operational(done, str(folder))
    assert not list(folder.iterdir())
