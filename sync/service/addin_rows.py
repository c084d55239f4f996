"""``POST /departments/<CODE>/rows``: a sheet's rows as JSON become a new version, like an upload.

Google Sheets' Apps Script cannot send an .xlsx of the sheet without Drive
access, so its Submit sends the OKRs table's values (header row first). They
are written into a one-sheet workbook (``OKRs``, values only: text that looks
like a formula stays text) and take the upload's own path: checked with the
organisation's other workbooks, stored as the department's next version, the
same answer as ``POST /departments/<CODE>/workbook``.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import xlsxwriter
from apiflask import APIBlueprint, Schema
from apiflask.fields import List, Raw
from flask import current_app

from okr.problems import ERROR
from okr.schema import SHEET
from sync.service.auth import authenticate, forbid, require
from sync.service.departments import _code, check_upload
from sync.service.errors import ApiError
from sync.service.schemas import Upload
from sync.sources.base import content_hash
from sync.store import uploads as upload_store

bp = APIBlueprint("addin_rows", __name__, tag="add-ins")

#: Rows one submission may carry (a department sheet has tens to hundreds).
MAX_ROWS = 20_000


class RowsSubmission(Schema):
    """``{"rows": [[header...], [cells...], ...]}``: the OKRs table's values."""

    rows = List(List(Raw(allow_none=True)), required=True)


def rows_workbook(rows: list[list[object]]) -> bytes:
    """*rows* as an .xlsx with one sheet ``OKRs``; every cell a value, never a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(SHEET)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif isinstance(value, date | datetime):
                sheet.write_string(r, c, value.isoformat())
            else:
                sheet.write_string(r, c, str(value))
    book.close()
    return out.getvalue()


@bp.post("/departments/<string:code>/rows")
@require("any")
@bp.input(RowsSubmission, arg_name="body")
@bp.output(Upload, status_code=201)
@bp.doc(security="BearerAuth", responses={400: "no rows", 413: "too many rows", 422: "no table"})
def submit_rows(code: str, body: dict):
    """Submit a department's sheet as rows of values (Google Sheets); a new version."""
    code = _code(code)
    who = authenticate()
    if not who.may_submit(code):
        raise forbid(f"this token may not submit the workbook of {code}")
    rows = body["rows"]
    if not rows:
        raise ApiError(400, "rows is empty: send the OKRs table, header row first")
    if len(rows) > MAX_ROWS:
        raise ApiError(413, f"{len(rows)} rows; send at most {MAX_ROWS} in one submission")
    data = rows_workbook(rows)
    name = f"{code}.xlsx"
    problems = check_upload(code, name, data)
    errors = sum(p["severity"] == ERROR for p in problems)
    service = current_app.extensions["okr"]
    digest = content_hash(data)
    info = upload_store.save_upload(
        service.engine,
        code,
        data,
        digest=digest,
        filename=f"{code} (Google Sheets).xlsx",
        uploaded_by=who.name,
        problems=problems,
    )
    return {
        "department": code,
        "version": info.version,
        "stored": True,
        "digest": digest,
        "size": len(data),
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": problems,
    }, 201
