"""The per-token rate limit (429 with Retry-After) and CORS for the configured origins only."""

from __future__ import annotations

from sync.config import load_config
from sync.service import create_app
from tests.service.conftest import bearer

CALL = {"args": ["increase", 0, 10, 5]}
URL = "/api/v1/functions/OKR_PROGRESS"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_past_the_limit_a_token_gets_429_with_retry_after(workspace, tokens):
    workspace.write_text(workspace.read_text() + "[service]\nrate_limit = 3\n")
    clock = Clock()
    client = create_app(load_config(workspace), {"TESTING": True, "OKR_CLOCK": clock}).test_client()
    for _ in range(3):
        assert client.post(URL, json=CALL, headers=bearer(tokens["reader"])).status_code == 200
    clock.now += 20
    over = client.post(URL, json=CALL, headers=bearer(tokens["reader"]))
    assert over.status_code == 429 and over.json["error"]["code"] == "rate-limited"
    assert over.headers["Retry-After"] == "40"
    # Another token has its own budget.
    assert client.post(URL, json=CALL, headers=bearer(tokens["sales"])).status_code == 200
    clock.now += 41
    assert client.post(URL, json=CALL, headers=bearer(tokens["reader"])).status_code == 200


def test_cors_answers_only_the_configured_origins(workspace, tokens):
    workspace.write_text(
        workspace.read_text() + '[service]\ncors_origins = ["https://addin.example.org"]\n'
    )
    client = create_app(load_config(workspace), {"TESTING": True}).test_client()
    good = {"Origin": "https://addin.example.org"}
    pre = client.options(
        URL,
        headers={
            **good,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "https://addin.example.org"
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    answer = client.post(URL, json=CALL, headers={**good, **bearer(tokens["reader"])})
    assert answer.headers["Access-Control-Allow-Origin"] == "https://addin.example.org"
    evil = client.post(
        URL, json=CALL, headers={"Origin": "https://evil.example", **bearer(tokens["reader"])}
    )
    assert "Access-Control-Allow-Origin" not in evil.headers
    pre_evil = client.options(
        URL, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in pre_evil.headers


def test_no_cors_by_default(client, tokens):
    answer = client.post(
        URL, json=CALL, headers={"Origin": "https://addin.example.org", **bearer(tokens["reader"])}
    )
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_unknown_service_settings_are_refused(workspace):
    import pytest

    from sync.errors import ConfigError

    workspace.write_text(workspace.read_text() + "[service]\nrate_limt = 3\n")
    with pytest.raises(ConfigError, match="rate_limt"):
        create_app(load_config(workspace))
