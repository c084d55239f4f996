"""Fixtures for the Google Sheets tests: a stand-in, a service-account key, a connected API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.gsheets.client import GoogleApi, GoogleConfig
from tests.gsheets_standin import GoogleStandin
from tests.gsheets_wire import make_key_file


@pytest.fixture(scope="session")
def key_file_data() -> dict[str, str]:
    """One throwaway RSA service-account key for the whole session (generating is slow)."""
    return make_key_file()


@pytest.fixture
def standin(key_file_data: dict[str, str]) -> Iterator[GoogleStandin]:
    """A running stand-in that knows the session's service account."""
    server = GoogleStandin()
    server.add_account(key_file_data)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def key_path(tmp_path: Path, key_file_data: dict[str, str]) -> Path:
    """The key written where ``[google] credentials`` can point."""
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(key_file_data), encoding="utf-8")
    return path


@pytest.fixture
def google_cfg(standin: GoogleStandin, key_path: Path) -> GoogleConfig:
    """``[google]`` settings pointing at the stand-in."""
    return GoogleConfig(credentials=str(key_path), api_root=standin.url)


class VirtualTime:
    """A clock that sleeping moves forward at once (retry waits without waiting)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def sleep(self, seconds: float) -> None:
        """Move the clock forward by *seconds*."""
        self.offset += seconds

    def monotonic(self) -> float:
        """The real monotonic clock plus the time slept."""
        return time.monotonic() + self.offset


@pytest.fixture
def api(google_cfg: GoogleConfig) -> GoogleApi:
    """A connected GoogleApi whose retries record their waits on a virtual clock."""
    clock = VirtualTime()
    return GoogleApi(google_cfg, sleep=clock.sleep, clock=clock.monotonic)
