"""Department workbooks: ``POST /departments/<CODE>/workbook``, the versions, the list.

An upload is the raw request body or the multipart field ``file``. It is
checked together with the organisation's other current workbooks and stored
as a new version (never overwriting one); ``?dry_run=1`` only checks.
Too large: 413; not an .xlsx: 415; corrupt, encrypted, a zip bomb, no OKRs
table: 422 with the same one-line message ``okr check`` gives.
"""

from __future__ import annotations

import io

from apiflask import APIBlueprint
from flask import current_app, request, send_file

from okr.cascade import check as check_items
from okr.problems import ERROR, sort_key
from sync.errors import ConfigError, InputError
from sync.service.auth import authenticate, forbid, require
from sync.service.errors import ApiError
from sync.service.schemas import Departments, DryRun, Upload, Versions
from sync.sources import default_sources, make_source
from sync.sources.base import content_hash
from sync.sources.departments import CODE, code_of, list_departments
from sync.store import uploads as upload_store
from sync.xlsx.reading import read_workbook_bytes

bp = APIBlueprint("departments", __name__, tag="departments")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Raw bodies may come as the .xlsx type, as bytes, or untyped.
ACCEPTED_TYPES = {XLSX_TYPE, "application/octet-stream", ""}
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _service():
    return current_app.extensions["okr"]


def _code(code: str) -> str:
    low = code.lower()
    if not CODE.match(low):
        raise ApiError(404, f"{code!r} is not a department CODE (like sales or emea-okr)")
    return low


@bp.get("/departments")
@require("any")
@bp.output(Departments)
@bp.doc(security="BearerAuth")
def departments():
    """The departments: CODE, workbook, source and latest uploaded version."""
    service = _service()
    found = list_departments(service.ws, service.engine)
    who = authenticate()
    if not who.may_read_company(service.settings.transparency):
        found = [d for d in found if who.may_read(d.code)]
    return {"departments": [d.as_dict() for d in found]}


def _body(limit: int) -> tuple[bytes, str]:
    """The uploaded bytes and file name; 413 / 415 / 400 when there is nothing usable."""
    if request.content_length is not None and request.content_length > limit + 1024 * 1024:
        raise _too_large(limit)
    mime = (request.mimetype or "").lower()
    if mime == "multipart/form-data":
        part = request.files.get("file")
        if part is None:
            raise ApiError(
                400,
                "multipart upload without a field named file; send the "
                "workbook as file=@sales.xlsx",
            )
        data, filename = part.read(limit + 1), part.filename or ""
    elif mime in ACCEPTED_TYPES:
        data, filename = request.get_data(cache=False), ""
    else:
        raise ApiError(
            415,
            f"a {mime} body is not an .xlsx workbook; send the workbook "
            f"as {XLSX_TYPE} or as the multipart field file",
        )
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise ApiError(400, "the request carries no workbook; send the .xlsx as the body")
    return data, filename


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"the workbook is over the limit of {limit / 2**20:g} MB "
        "([service] max_upload_mb); remove pictures or unused sheets",
    )


def _others(code: str) -> list:
    """The items of every other current workbook (their read failures are not this upload's)."""
    ws = _service().ws
    try:
        configs, _ = default_sources(ws)
    except ConfigError:
        return []
    items = []
    for config in configs:
        try:
            found = make_source(config, ws, skip=(ws.output.resolve(),)).read()
        except InputError:
            continue
        items += [i for r in found if r.ok and code_of(r.name) != code for i in r.table.items]
    return items


def check_upload(code: str, name: str, data: bytes) -> list[dict]:
    """The problems of upload *data* checked with the organisation; ``ApiError`` 415 / 422."""
    if not data.startswith(_ZIP) and not (
        data.startswith(_OLE) and "EncryptedPackage".encode("utf-16-le") in data
    ):
        what = "an old .xls workbook" if data.startswith(_OLE) else "not an .xlsx workbook"
        raise ApiError(415, f"{name}: is {what}; save it as Excel Workbook (.xlsx)")
    ws = _service().ws
    try:
        table = read_workbook_bytes(data, name, max_rows=ws.settings.max_rows, decimal=ws.decimal)
    except InputError as exc:
        raise ApiError(422, str(exc), "unreadable") from None
    metrics = {n: str(m.get("unit", "")) for n, m in ws.metrics.items()} if ws.metrics else None
    found = [*table.problems]
    # Checked as one organisation (duplicates, parents, shares across departments);
    # only what concerns this workbook is answered.
    found += check_items([*table.items, *_others(code)], ws.settings, metrics=metrics)
    return [p.as_dict() for p in sorted(found, key=sort_key) if p.workbook in (name, "")]


@bp.post("/departments/<string:code>/workbook")
@require("any")
@bp.input(DryRun, location="query", arg_name="query")
@bp.output(Upload, status_code=201)
@bp.doc(
    security="BearerAuth",
    responses={
        200: "checked, not stored (dry_run)",
        413: "too large",
        415: "not an .xlsx",
        422: "unreadable workbook",
    },
)
def upload(code: str, query: dict):
    """Submit a department's workbook (raw body or multipart ``file``); a new version."""
    code = _code(code)
    who = authenticate()
    if not who.may_submit(code):
        raise forbid(f"this token may not submit the workbook of {code}")
    service = _service()
    data, filename = _body(service.settings.max_upload_bytes)
    name = f"{code}.xlsx"
    problems = check_upload(code, name, data)
    errors = sum(p["severity"] == ERROR for p in problems)
    body = {
        "department": code,
        "version": None,
        "stored": False,
        "digest": content_hash(data),
        "size": len(data),
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": problems,
    }
    if query["dry_run"]:
        return body, 200
    info = upload_store.save_upload(
        service.engine,
        code,
        data,
        digest=body["digest"],
        filename=filename,
        uploaded_by=who.name,
        problems=problems,
    )
    body.update(version=info.version, stored=True)
    return body, 201


def _readable(code: str) -> str:
    code = _code(code)
    if not authenticate().may_read(code):
        raise forbid(f"this token may not read the workbooks of {code}")
    return code


@bp.get("/departments/<string:code>/versions")
@require("any")
@bp.output(Versions)
@bp.doc(security="BearerAuth")
def versions(code: str):
    """The uploaded versions of a department, oldest first."""
    code = _readable(code)
    found = upload_store.versions(_service().engine, code)
    return {"department": code, "versions": [v.as_dict() for v in found]}


@bp.get("/departments/<string:code>/versions/<int(max=2147483647):number>")
@require("any")
@bp.doc(
    security="BearerAuth",
    responses={
        200: {
            "description": "the workbook, as uploaded",
            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def version(code: str, number: int):
    """One uploaded version: the bytes exactly as they were sent."""
    code = _readable(code)
    found = upload_store.version_bytes(_service().engine, code, number)
    if found is None:
        raise ApiError(404, f"{code} has no version {number}; see its versions")
    info, data = found
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"{code}-v{info.version}.xlsx",
    )
