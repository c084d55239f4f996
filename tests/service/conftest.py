"""Fixtures for the service tests: a workspace, its app and client, tokens of every scope."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sync.config import load_config
from sync.service import create_app
from sync.store import tokens as token_store
from sync.store.engine import open_store
from tests.conftest import ROOT

ORG = ROOT / "examples" / "org"


def make_workspace(root: Path, store_url: str, extra: str = "") -> Path:
    """A workspace in *root* over a copy of the example organisation; its okr.toml."""
    shutil.copytree(ORG, root / "departments")
    path = root / "okr.toml"
    path.write_text(
        '[organisation]\nname = "Test organisation"\n'
        f'[store]\nurl = "{store_url}"\n'
        '[[sources]]\nkind = "folder"\npath = "departments"\n'
        '[output]\npath = "out/company.xlsx"\n' + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """okr.toml of a SQLite workspace over the example organisation."""
    return make_workspace(tmp_path, f"sqlite:///{tmp_path / 'okr.db'}")


@pytest.fixture
def app(workspace: Path):
    """The service over *workspace*."""
    return create_app(load_config(workspace), {"TESTING": True})


@pytest.fixture
def client(app):
    """A test client of *app*."""
    return app.test_client()


@pytest.fixture
def tokens(app) -> dict[str, str]:
    """One token per kind of caller: admin, reader, sales, finance, revoked."""
    engine = open_store(app.extensions["okr"].ws.store_url)
    made = {
        "admin": token_store.add_token(engine, "admin", ["admin"]),
        "reader": token_store.add_token(engine, "reader", ["reader"]),
        "sales": token_store.add_token(engine, "sales", ["department:sales"]),
        "finance": token_store.add_token(engine, "finance", ["department:finance"]),
        "revoked": token_store.add_token(engine, "revoked", ["admin"]),
    }
    token_store.revoke_token(engine, "revoked")
    engine.dispose()
    return made


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for *token*."""
    return {"Authorization": f"Bearer {token}"}
