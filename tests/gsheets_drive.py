"""Drive v3 for the Google stand-in: files.list, create, get, delete, copy, permissions.create.

A mixin of ``GoogleStandin``: it uses the stand-in's ``books``, ``new_book``
and ``_book`` (which answers 404 and 403 as Google does).
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.wrappers import Request, Response

from tests.gsheets_model import Sheet, Spreadsheet, new_id
from tests.gsheets_wire import SHEETS_MIME, GoogleError, apply_fields, json_response, parse_fields


class DriveRoutes:
    """The Drive v3 calls, answered from the stand-in's spreadsheets."""

    books: dict[str, Spreadsheet]

    def files_list(self, req: Request) -> Response:
        query = req.args.get("q", "")
        folder = re.search(r'"([^"]+)" in parents|parents in "([^"]+)"', query)
        name = re.search(r'name\s*=\s*"([^"]*)"', query)
        found = [
            b
            for b in self.books.values()
            if req.environ.get("standin.account") not in b.denied
            and (not folder or (folder.group(1) or folder.group(2)) in b.parents)
            and (not name or b.title == name.group(1))
        ]
        found.sort(key=lambda b: b.created)
        size = min(int(req.args.get("pageSize", 100)), 1000)
        start = int(req.args.get("pageToken") or 0)
        page = found[start : start + size]
        out: dict[str, Any] = {"kind": "drive#fileList"}
        if start + size < len(found):
            out["nextPageToken"] = str(start + size)
        out["files"] = [_file(b) for b in page]
        if req.args.get("fields"):
            out = apply_fields(out, parse_fields(req.args["fields"]))
        return json_response(out)

    def files_create(self, req: Request) -> Response:
        body = req.get_json(force=True, silent=True) or {}
        if body.get("mimeType") != SHEETS_MIME:
            raise GoogleError(400, "Only spreadsheets are supported here")
        book = self.new_book(body.get("name") or "Untitled spreadsheet", body.get("parents"))
        book.owner = req.environ.get("standin.account", "")
        return json_response(
            {"kind": "drive#file", "id": book.id, "name": book.title, "mimeType": SHEETS_MIME}
        )

    def files_get(self, req: Request, id: str) -> Response:
        book = self._book(req, id)
        out = {"kind": "drive#file", **_file(book), "mimeType": SHEETS_MIME}
        if req.args.get("fields"):
            out = apply_fields(out, parse_fields(req.args["fields"]))
        return json_response(out)

    def files_delete(self, req: Request, id: str) -> Response:
        self._book(req, id)
        del self.books[id]
        return Response(status=204)

    def files_copy(self, req: Request, id: str) -> Response:
        source = self._book(req, id)
        body = req.get_json(force=True, silent=True) or {}
        copy = self.new_book(body.get("name") or f"Copy of {source.title}", source.parents)
        copy.sheets = [
            Sheet(s.sheet_id, s.title, s.index, s.rows, s.cols, cells=dict(s.cells))
            for s in source.sheets
        ]
        return json_response(
            {"kind": "drive#file", "id": copy.id, "name": copy.title, "mimeType": SHEETS_MIME}
        )

    def permissions_create(self, req: Request, id: str) -> Response:
        book = self._book(req, id)
        body = req.get_json(force=True, silent=True) or {}
        perm = {
            "kind": "drive#permission",
            "id": new_id(20),
            "type": body.get("type", "user"),
            "role": body.get("role", "reader"),
        }
        book.permissions.append({**perm, "emailAddress": body.get("emailAddress")})
        return json_response(perm)


def _file(book: Spreadsheet) -> dict[str, str]:
    return {
        "id": book.id,
        "name": book.title,
        "createdTime": book.created,
        "modifiedTime": book.modified,
    }
