"""Who may call what: no token, bad token, revoked, wrong scope, other department."""

from __future__ import annotations

import pytest

from sync.cli import main
from sync.config import load_config
from sync.service import create_app
from sync.store import tokens as token_store
from sync.store.engine import open_store
from tests.service.conftest import bearer

CALL = ("post", "/api/v1/functions/OKR_PROGRESS", {"args": ["increase", 0, 10, 5]})


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer okr_not-a-real-token"},
    ],
    ids=["none", "empty", "basic", "unknown"],
)
def test_without_a_valid_token_the_api_answers_401(client, tokens, headers):
    answer = client.post(CALL[1], json=CALL[2], headers=headers)
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthorized"
    assert "okr_not-a-real-token" not in answer.get_data(as_text=True)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_answers_401(client, tokens):
    answer = client.post(CALL[1], json=CALL[2], headers=bearer(tokens["revoked"]))
    assert answer.status_code == 401
    assert tokens["revoked"] not in answer.get_data(as_text=True)


def test_auth_comes_before_reading_the_body(client):
    assert client.post(CALL[1], json={"nonsense": 1}).status_code == 401


@pytest.mark.parametrize("who", ["admin", "reader", "sales"])
def test_every_scope_may_call_functions_and_check(client, tokens, who):
    assert client.post(CALL[1], json=CALL[2], headers=bearer(tokens[who])).status_code == 200
    rows = {"rows": [{"ID": "CO-O1", "Type": "Objective", "Title": "Grow", "Period": "2026"}]}
    assert client.post("/api/v1/check", json=rows, headers=bearer(tokens[who])).status_code == 200


def test_healthz_needs_no_token_and_says_the_store_is_reachable(client):
    for path in ("/api/v1/healthz", "/healthz"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.json["store"] == "reachable" and answer.json["last_run"] is None


def test_the_store_keeps_only_the_hash(app, tokens):
    engine = app.extensions["okr"].engine
    with engine.connect() as conn:
        rows = conn.execute(token_store.api_tokens.select()).all()
    stored = " ".join(str(v) for r in rows for v in r)
    assert all(t not in stored for t in tokens.values())
    assert token_store.digest(tokens["admin"]) in stored


def test_use_is_recorded(client, tokens, app):
    client.post(CALL[1], json=CALL[2], headers=bearer(tokens["sales"]))
    infos = {t.name: t for t in token_store.list_tokens(app.extensions["okr"].engine)}
    assert infos["sales"].last_used_at is not None and infos["reader"].last_used_at is None


def test_unknown_routes_and_methods_answer_in_the_error_shape(client):
    assert client.get("/api/v1/nope").json["error"]["code"] == "not-found"
    answer = client.get("/api/v1/functions:batch")
    assert answer.status_code == 405 and answer.json["error"]["code"] == "method-not-allowed"


def test_an_unexpected_failure_is_a_plain_500(app, tokens, monkeypatch):
    from okr import functions

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /srv/okr/db password=hunter2")

    monkeypatch.setattr(functions, "call", broken)
    answer = app.test_client().post(CALL[1], json=CALL[2], headers=bearer(tokens["admin"]))
    assert answer.status_code == 500
    assert answer.json == {
        "error": {"code": "internal", "message": "internal error; the server's log has the details"}
    }


# --- okr token ------------------------------------------------------------------------------


def test_token_add_prints_the_token_alone_on_the_last_line(workspace, capsys):
    assert (
        main(
            [
                "token",
                "add",
                "ci",
                "--scope",
                "reader",
                "--scope",
                "department:Sales",
                "--config",
                str(workspace),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.strip().splitlines()
    token = out[-1]
    assert token.startswith("okr_") and " " not in token and len(token) > 40
    engine = open_store(load_config(workspace).store_url)
    info = token_store.verify(engine, token)
    assert info.scopes == ("department:sales", "reader")


def test_token_list_and_revoke(workspace, capsys):
    config = ["--config", str(workspace)]
    main(["token", "add", "leaders", "--scope", "reader", *config])
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["token", "list", *config]) == 0
    listing = capsys.readouterr().out
    assert "leaders" in listing and "reader" in listing and token not in listing
    assert main(["token", "revoke", "leaders", *config]) == 0
    app = create_app(load_config(workspace), {"TESTING": True})
    answer = app.test_client().post(CALL[1], json=CALL[2], headers=bearer(token))
    assert answer.status_code == 401
    assert main(["token", "revoke", "leaders", *config]) == 2
    assert "no active token" in capsys.readouterr().err


@pytest.mark.parametrize("scope", ["root", "department:", "department:a b", "dept:sales"])
def test_token_add_refuses_an_unknown_scope(workspace, capsys, scope):
    assert main(["token", "add", "x", "--scope", scope, "--config", str(workspace)]) == 2
    assert "scope" in capsys.readouterr().err


def test_token_add_refuses_a_name_in_use(workspace, capsys):
    config = ["--config", str(workspace)]
    assert main(["token", "add", "x", "--scope", "admin", *config]) == 0
    assert main(["token", "add", "x", "--scope", "admin", *config]) == 2
    assert "exists already" in capsys.readouterr().err


def test_a_revocation_takes_effect_within_the_trust_window(app, client, tokens, monkeypatch):
    from sync.service import auth

    headers = bearer(tokens["sales"])
    assert client.post(CALL[1], json=CALL[2], headers=headers).status_code == 200
    token_store.revoke_token(app.extensions["okr"].engine, "sales")
    later = auth.time.monotonic() + auth.TRUST_SECONDS + 0.1
    monkeypatch.setattr(auth.time, "monotonic", lambda: later)
    assert client.post(CALL[1], json=CALL[2], headers=headers).status_code == 401


def test_every_service_setting_is_in_the_readme():
    from sync.service.settings import SERVICE_SETTINGS
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SERVICE_SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name
