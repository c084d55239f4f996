"""Fixtures for the Google Sheets tests: a stand-in, a service-account key, a connected API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.gsheets.client import GoogleApi, GoogleConfig
from tests.gsheets_standin import GoogleStandin, make_key_file


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


@pytest.fixture
def api(google_cfg: GoogleConfig) -> GoogleApi:
    """A connected GoogleApi whose retries record their waits instead of sleeping."""
    return GoogleApi(google_cfg, sleep=lambda seconds: None)
