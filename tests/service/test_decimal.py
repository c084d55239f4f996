"""Numbers typed as text over HTTP: functions and /check follow ``[organisation] decimal``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.config import load_config
from sync.service import create_app
from sync.store import tokens as token_store
from sync.store.engine import open_store
from tests.okrdata import grid, kr, obj
from tests.service.conftest import bearer, make_workspace


def _client(root: Path, decimal: str | None):
    path = make_workspace(root, f"sqlite:///{root / 'okr.db'}")
    if decimal:
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("[organisation]\n", f'[organisation]\ndecimal = "{decimal}"\n')
        )
    app = create_app(load_config(path), {"TESTING": True})
    token = token_store.add_token(open_store(app.extensions["okr"].ws.store_url), "r", ["reader"])
    return app.test_client(), bearer(token)


@pytest.fixture
def comma(tmp_path: Path):
    (tmp_path / "comma").mkdir()
    return _client(tmp_path / "comma", ",")


@pytest.fixture
def unset(tmp_path: Path):
    (tmp_path / "unset").mkdir()
    return _client(tmp_path / "unset", None)


def _progress(client, headers, target: object) -> object:
    answer = client.post(
        "/api/v1/functions/OKR_PROGRESS",
        json={"args": ["increase", 0, [[target]], "5"]},
        headers=headers,
    )
    assert answer.status_code == 200
    return answer.json["result"][0][0]


def test_functions_read_a_decimal_comma_when_the_organisation_sets_it(comma) -> None:
    assert _progress(*comma, "12,5") == pytest.approx(0.4)
    assert _progress(*comma, "1.250,0") == pytest.approx(0.004)


def test_functions_refuse_an_ambiguous_number_naming_the_setting(unset) -> None:
    cell = _progress(*unset, "12,5")
    assert cell["error"]["code"] == "bad-argument"
    assert "[organisation] decimal" in cell["error"]["message"]
    assert _progress(*unset, "1.250,0") == pytest.approx(0.004)  # only one reading


def _check(client, headers) -> list[dict]:
    rows = grid([obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", target="12,5")])
    rows = [
        [c if isinstance(c, str | int | float) or c is None else str(c) for c in r] for r in rows
    ]
    answer = client.post("/api/v1/check", json={"rows": rows}, headers=headers)
    assert answer.status_code == 200
    return answer.json["problems"]


def test_check_follows_the_organisation_decimal(comma, unset) -> None:
    assert not [p for p in _check(*comma) if p["code"] == "target"]
    found = [p for p in _check(*unset) if p["code"] == "target"]
    assert len(found) == 1 and "[organisation] decimal" in found[0]["message"]


def test_okr_check_over_http_follows_the_organisation_decimal(comma, unset) -> None:
    rows = grid([obj("S-O1", "CO-O1"), kr("S-KR1", "S-O1", target="12,5")])
    rows = [
        [c if isinstance(c, str | int | float) or c is None else str(c) for c in r] for r in rows
    ]

    def messages(client, headers) -> str:
        answer = client.post("/api/v1/functions/OKR_CHECK", json={"args": [rows]}, headers=headers)
        return " ".join(c[0] for c in answer.json["result"])

    assert "decimal" not in messages(*comma)
    assert "[organisation] decimal" in messages(*unset)
