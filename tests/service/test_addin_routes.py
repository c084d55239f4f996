"""The add-ins' routes: the Excel add-in's files and the Apps Script's rows submission."""

from __future__ import annotations

import io

import openpyxl
import pytest

from addin import files_of
from okr.schema import header_texts
from tests.service.conftest import bearer

HEADER = header_texts("en")


def _row(**values: object) -> list[object]:
    return [values.get(h.lower().replace(" ", "_"), "") for h in HEADER]


ROWS = [
    HEADER,
    _row(
        id="SALES-O1",
        type="Objective",
        parent="CO-O1",
        title="Grow",
        owner="ana",
        department="Sales",
        period="2026-Q4",
    ),
    _row(
        id="SALES-KR1.1",
        type="Key Result",
        parent="SALES-O1",
        title='=HYPERLINK("x")',
        owner="ana",
        department="Sales",
        period="2026-Q4",
        direction="increase",
        baseline=0,
        target=10,
        current=5,
        as_of="2026-11-10",
    ),
]


def _submit(client, token: str | None, code: str = "sales", rows: object = ROWS):
    headers = bearer(token) if token else {}
    return client.post(f"/api/v1/departments/{code}/rows", json={"rows": rows}, headers=headers)


def test_rows_become_the_departments_next_version_as_a_workbook(client, tokens):
    first = _submit(client, tokens["sales"])
    assert first.status_code == 201, first.json
    assert first.json["department"] == "sales" and first.json["stored"] is True
    second = _submit(client, tokens["admin"])
    assert second.json["version"] == first.json["version"] + 1
    stored = client.get(
        f"/api/v1/departments/sales/versions/{second.json['version']}",
        headers=bearer(tokens["sales"]),
    )
    assert stored.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(stored.data))["OKRs"]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A3"].value == "SALES-KR1.1"
    # Text that looks like a formula stays text.
    assert sheet["D3"].value == '=HYPERLINK("x")' and sheet["D3"].data_type == "s"
    assert sheet["L3"].value == 5


def test_the_rows_are_checked_like_an_upload(client, tokens):
    answer = _submit(client, tokens["sales"], rows=[*ROWS, ROWS[2]])
    assert answer.status_code == 201
    assert "duplicate-id" in {p["code"] for p in answer.json["problems"]}
    assert answer.json["errors"] >= 1


@pytest.mark.parametrize(
    ("who", "code", "status"),
    [
        (None, "sales", 401),
        ("bad", "sales", 401),
        ("revoked", "sales", 401),
        ("sales", "finance", 403),
        ("reader", "sales", 403),
    ],
)
def test_only_the_departments_own_token_or_an_admin_may_submit(client, tokens, who, code, status):
    token = "okr_not-a-token" if who == "bad" else tokens.get(who) if who else None
    answer = _submit(client, token, code)
    assert answer.status_code == status
    assert set(answer.json["error"]) == {"code", "message"}


@pytest.mark.parametrize(
    ("rows", "status", "message"),
    [
        ([], 400, "rows is empty"),
        ("nope", 400, "rows"),
        ([["a", "b"], [1, 2]], 422, "OKRs"),
    ],
)
def test_rows_that_are_no_okr_table_are_refused_with_the_fix(client, tokens, rows, status, message):
    answer = _submit(client, tokens["sales"], rows=rows)
    assert answer.status_code == status
    assert message in answer.json["error"]["message"]


def test_too_many_rows_is_413(client, tokens, monkeypatch):
    from sync.service import addin_rows

    monkeypatch.setattr(addin_rows, "MAX_ROWS", 2)
    assert _submit(client, tokens["sales"]).status_code == 413


@pytest.mark.parametrize(
    "name", ["taskpane.html", "taskpane.js", "functions.js", "functions.json", "assets/icon-32.png"]
)
def test_the_add_in_files_are_served_without_a_token(client, name):
    answer = client.get(f"/addin/office/{name}")
    assert answer.status_code == 200
    assert answer.data == (files_of("office") / name).read_bytes()
    assert answer.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("name", ["manifest.template.xml", "../udfs.py", "x.js", ".hidden.js"])
def test_nothing_else_is_served(client, name):
    assert client.get(f"/addin/office/{name}").status_code == 404
