"""The dashboard's pages over the test client: login, CSRF, cookie, pages, languages."""

from __future__ import annotations

import re

import pytest

from sync.consolidate.run import consolidate
from sync.store import tokens as token_store


@pytest.fixture
def ran(app):
    """The app after one consolidation."""
    consolidate(app.extensions["okr"].ws)
    return app


def _csrf(client, path="/login") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def login(client, token: str):
    """Log in through the form; the answer."""
    return client.post("/login", data={"csrf": _csrf(client), "token": token})


def test_pages_send_a_visitor_to_the_login_form(client):
    for path in ("/", "/problems", "/freshness", "/item/CO-O1"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_login_sets_a_strict_httponly_cookie_and_opens_the_tree(ran, client, tokens):
    answer = login(client, tokens["reader"])
    assert answer.status_code == 302
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert tokens["reader"] not in cookie
    home = client.get("/")
    assert home.status_code == 200 and 'id="tree"' in home.text and "CO-O1" in home.text
    assert "default-src 'self'" in home.headers["Content-Security-Policy"]


def test_a_bad_token_or_a_missing_csrf_token_does_not_log_in(client, tokens):
    assert login(client, "okr_wrong").status_code == 401
    assert client.post("/login", data={"token": tokens["reader"]}).status_code == 400
    assert client.get("/").status_code == 302


def test_a_revoked_token_ends_the_session(ran, app, client, tokens, monkeypatch):
    from sync.service import auth

    monkeypatch.setattr(auth, "TRUST_SECONDS", 0.0)
    login(client, tokens["sales"])
    assert client.get("/").status_code == 200
    token_store.revoke_token(app.extensions["okr"].engine, "sales")
    assert client.get("/").status_code == 302


def test_the_session_reads_but_never_writes(ran, client, tokens):
    login(client, tokens["admin"])
    assert client.get("/api/v1/tree").status_code == 200
    assert client.post("/api/v1/runs").status_code == 401


def test_logout_needs_the_csrf_token(ran, client, tokens):
    login(client, tokens["reader"])
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf": _csrf(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def test_children_load_a_level_at_a_time(ran, client, tokens):
    login(client, tokens["reader"])
    rows = client.get("/dashboard/children?root=CO-O1").text
    ids = re.findall(r'<li class="node [^"]*" data-id="([^"]+)"', rows)
    assert ids and "CO-O1" not in ids


def test_a_key_result_page_shows_value_history_and_workbook(ran, client, tokens):
    login(client, tokens["reader"])
    page = client.get("/item/CO-KR1.3")
    assert page.status_code == 200
    assert 'id="value"' in page.text and "<svg" in page.text and 'id="detail"' in page.text
    link = re.search(r'id="workbook" href="([^"]+)"', page.text).group(1)
    book = client.get(link)
    assert book.status_code == 200 and book.data[:2] == b"PK"
    assert client.get("/item/NOPE-1").status_code == 404


def test_problems_filter_by_department_and_severity(ran, client, tokens):
    login(client, tokens["reader"])
    every = client.get("/problems").text.count("<tr class=")
    errors = client.get("/problems?severity=error").text.count('<tr class="error"')
    sales = client.get("/problems?department=sales.xlsx").text
    assert every > errors >= 1
    assert all(w == "sales.xlsx" for w in re.findall(r"<td>([a-z-]+\.xlsx)", sales))
    # the filter offers departments by the name their rows give, the workbook as its value
    assert '<option value="sales.xlsx" selected>Sales</option>' in sales


def test_chinese_labels_when_the_browser_prefers_chinese(ran, client, tokens):
    login(client, tokens["reader"])
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-CN">' in page.text and "公司" in page.text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB"}).text


def test_freshness_lists_metrics(ran, client, tokens):
    login(client, tokens["reader"])
    assert client.get("/freshness").status_code == 200
