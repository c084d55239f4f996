"""Submitting department workbooks: versions, every bad upload, who may submit and read."""

from __future__ import annotations

import pytest

from sync.config import load_config
from sync.consolidate.run import consolidate
from sync.service import create_app
from tests.conftest import DATA
from tests.service.conftest import ORG, bearer

URL = "/api/v1/departments/sales/workbook"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SALES = (ORG / "sales.xlsx").read_bytes()


def _raw(client, token, data=SALES, url=URL, mime=XLSX):
    return client.post(url, data=data, content_type=mime, headers=bearer(token))


def test_a_raw_upload_is_stored_as_version_1_with_its_problems(client, tokens):
    answer = _raw(client, tokens["sales"])
    assert answer.status_code == 201
    body = answer.json
    assert body["department"] == "sales" and body["version"] == 1 and body["stored"]
    assert body["size"] == len(SALES)
    assert all(p["workbook"] == "sales.xlsx" for p in body["problems"])


def test_a_multipart_upload_and_versions_never_overwrite(client, tokens):
    assert _raw(client, tokens["sales"]).json["version"] == 1
    second = client.post(
        URL,
        data={"file": (__import__("io").BytesIO(SALES), "sales.xlsx")},
        content_type="multipart/form-data",
        headers=bearer(tokens["admin"]),
    )
    assert second.status_code == 201 and second.json["version"] == 2
    listing = client.get("/api/v1/departments/sales/versions", headers=bearer(tokens["sales"]))
    assert [v["version"] for v in listing.json["versions"]] == [1, 2]
    assert listing.json["versions"][1]["uploaded_by"] == "admin"
    got = client.get("/api/v1/departments/sales/versions/1", headers=bearer(tokens["reader"]))
    assert got.status_code == 200 and got.data == SALES and got.mimetype == XLSX


def test_dry_run_checks_without_storing(client, tokens):
    answer = _raw(client, tokens["sales"], url=URL + "?dry_run=1")
    assert answer.status_code == 200 and answer.json["stored"] is False
    listing = client.get("/api/v1/departments/sales/versions", headers=bearer(tokens["sales"]))
    assert listing.json["versions"] == []


def test_the_check_sees_the_other_workbooks(client, tokens):
    # Sales' objectives serve company objectives: found in company.xlsx, so no unknown-parent.
    codes = {p["code"] for p in _raw(client, tokens["sales"]).json["problems"]}
    assert "unknown-parent" not in codes


def test_a_duplicate_id_against_another_department_is_reported(client, tokens):
    answer = _raw(client, tokens["admin"], data=(ORG / "finance.xlsx").read_bytes())
    assert "duplicate-id" in {p["code"] for p in answer.json["problems"]}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("not_a_workbook.xlsx", 415),
        ("encrypted.xlsx", 422),
        ("truncated.xlsx", 422),
        ("zip_bomb.xlsx", 422),
        ("no_okrs_sheet.xlsx", 422),
        ("missing_headers.xlsx", 422),
    ],
)
def test_every_broken_workbook_is_refused_with_the_cli_message(client, tokens, name, status):
    from sync.errors import InputError
    from sync.xlsx.reading import read_workbook_bytes

    data = (DATA / "broken" / name).read_bytes()
    answer = _raw(client, tokens["sales"], data=data)
    assert answer.status_code == status
    if status == 422:
        with pytest.raises(InputError) as cli:
            read_workbook_bytes(data, "sales.xlsx")
        assert answer.json["error"]["message"] == str(cli.value)
    listing = client.get("/api/v1/departments/sales/versions", headers=bearer(tokens["sales"]))
    assert listing.json["versions"] == []


def test_a_text_body_is_415(client, tokens):
    answer = _raw(client, tokens["sales"], data=b"ID,Type\n", mime="text/csv")
    assert answer.status_code == 415 and answer.json["error"]["code"] == "unsupported-media-type"


def test_an_empty_body_and_a_multipart_without_file_are_400(client, tokens):
    assert _raw(client, tokens["sales"], data=b"").status_code == 400
    answer = client.post(
        URL,
        data={"other": "x"},
        content_type="multipart/form-data",
        headers=bearer(tokens["sales"]),
    )
    assert answer.status_code == 400 and "file" in answer.json["error"]["message"]


def test_too_large_is_413(tmp_path, tokens, workspace):
    text = workspace.read_text() + "[service]\nmax_upload_mb = 0.001\n"
    workspace.write_text(text)
    app = create_app(load_config(workspace), {"TESTING": True})
    answer = _raw(app.test_client(), tokens["sales"])
    assert answer.status_code == 413 and "max_upload_mb" in answer.json["error"]["message"]


def test_another_departments_token_may_not_submit_or_read(client, tokens):
    assert _raw(client, tokens["finance"]).status_code == 403
    assert _raw(client, tokens["reader"]).status_code == 403
    assert _raw(client, tokens["sales"]).status_code == 201
    for path in ("/api/v1/departments/sales/versions", "/api/v1/departments/sales/versions/1"):
        assert client.get(path, headers=bearer(tokens["finance"])).status_code == 403
        assert client.get(path).status_code == 401
        assert client.get(path, headers=bearer(tokens["revoked"])).status_code == 401


def test_a_missing_version_and_a_bad_code_are_404(client, tokens):
    headers = bearer(tokens["admin"])
    assert client.get("/api/v1/departments/sales/versions/9", headers=headers).status_code == 404
    assert client.get("/api/v1/departments/Bad%20Code/versions", headers=headers).status_code == 404


def test_departments_lists_codes_from_the_sources(client, tokens):
    answer = client.get("/api/v1/departments", headers=bearer(tokens["reader"]))
    codes = {d["code"] for d in answer.json["departments"]}
    assert {"sales", "finance", "hr", "sales-emea", "company"} <= codes
    assert client.get("/api/v1/departments").status_code == 401


def test_the_uploads_source_makes_the_latest_version_what_consolidation_reads(
    tmp_path, tokens, workspace
):
    text = workspace.read_text().replace(
        'kind = "folder"\npath = "departments"', 'kind = "uploads"'
    )
    workspace.write_text(text)
    ws = load_config(workspace)
    client = create_app(ws, {"TESTING": True}).test_client()
    for name in ("company", "sales", "finance"):
        url = f"/api/v1/departments/{name}/workbook"
        data = (ORG / f"{name}.xlsx").read_bytes()
        assert _raw(client, tokens["admin"], data=data, url=url).status_code == 201
    result = consolidate(ws)
    assert sorted(s.name for s in result.workbooks) == [
        "company.xlsx",
        "finance.xlsx",
        "sales.xlsx",
    ]
    assert result.output.exists()
    listing = client.get("/api/v1/departments", headers=bearer(tokens["reader"])).json
    assert {d["code"]: d["source"] for d in listing["departments"]}["sales"] == "uploads"
