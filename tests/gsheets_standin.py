"""A local stand-in for Google's Sheets v4, Drive v3 and OAuth token endpoints.

A werkzeug server on 127.0.0.1 (port 0) speaking the documented wire format
of the calls okr-sheets and gspread make, held to Google's recorded answers
by ``tests/test_gsheets_contract.py``. Paths are Google's own (``/v4/...``,
``/drive/v3/...``, ``/token``), so a client whose ``api_root`` points here
sends exactly what it would send to Google.

The token endpoint verifies the RS256 JWT assertion of a service account
against the public keys registered with ``add_account``; API calls need a
token it issued. Every API call is logged (``calls``, ``count``); faults are
queued with ``fail`` (status, Retry-After, delay, malformed body).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests import gsheets_batch as batch
from tests.gsheets_drive import DriveRoutes
from tests.gsheets_model import (
    Clock,
    RangeError,
    Sheet,
    Spreadsheet,
    clear,
    col_letters,
    new_id,
    parse_range,
    read_values,
    write_values,
)
from tests.gsheets_wire import (
    Fault,
    GoogleError,
    QuietHandler,
    apply_fields,
    b64decode,
    error_response,
    json_response,
    parse_fields,
)

_ROUTES = [
    ("POST", r"/token", "token"),
    ("GET", r"/v4/spreadsheets/(?P<id>[^/:]+)", "spreadsheets.get"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+):batchUpdate", "spreadsheets.batchUpdate"),
    ("GET", r"/v4/spreadsheets/(?P<id>[^/:]+)/values:batchGet", "values.batchGet"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values:batchUpdate", "values.batchUpdate"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values:batchClear", "values.batchClear"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values/(?P<range>.+):append", "values.append"),
    ("POST", r"/v4/spreadsheets/(?P<id>[^/:]+)/values/(?P<range>.+):clear", "values.clear"),
    ("GET", r"/v4/spreadsheets/(?P<id>[^/:]+)/values/(?P<range>.+)", "values.get"),
    ("PUT", r"/v4/spreadsheets/(?P<id>[^/:]+)/values/(?P<range>.+)", "values.update"),
    ("GET", r"/drive/v3/files", "files.list"),
    ("POST", r"/drive/v3/files", "files.create"),
    ("GET", r"/drive/v3/files/(?P<id>[^/]+)", "files.get"),
    ("DELETE", r"/drive/v3/files/(?P<id>[^/]+)", "files.delete"),
    ("POST", r"/drive/v3/files/(?P<id>[^/]+)/copy", "files.copy"),
    ("POST", r"/drive/v3/files/(?P<id>[^/]+)/permissions", "permissions.create"),
]
_COMPILED = [(m, re.compile(p + "$"), kind) for m, p, kind in _ROUTES]


class GoogleStandin(DriveRoutes):
    """The state and the WSGI app; ``start()`` serves it on a free port of 127.0.0.1."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.books: dict[str, Spreadsheet] = {}
        self.keys: dict[str, Any] = {}  # client_email -> public key
        self.tokens: dict[str, str] = {}  # access token -> client_email
        self.calls: list[tuple[str, str]] = []  # (kind, spreadsheet ID) of API calls
        self.faults: list[Fault] = []
        self.bodies: list[tuple[str, Any]] = []  # (kind, JSON body) of POST and PUT calls
        self.clock = Clock()
        self.lock = threading.RLock()
        self.url = ""
        self._server = None
        self._thread: threading.Thread | None = None

    # -- set-up helpers for tests -------------------------------------------------
    def add_account(self, key_file: dict[str, str]) -> None:
        """Accept JWTs signed by this service-account key."""
        private = serialization.load_pem_private_key(key_file["private_key"].encode(), None)
        self.keys[key_file["client_email"]] = private.public_key()

    def revoke(self, email: str) -> None:
        """Revoke an account's key and every token issued to it."""
        self.keys.pop(email, None)
        self.tokens = {t: e for t, e in self.tokens.items() if e != email}

    def new_book(self, title: str, parents: list[str] | None = None) -> Spreadsheet:
        """A spreadsheet with one empty tab ``Sheet1`` (sheetId 0), as Drive creates it."""
        now = self.clock.now()
        book = Spreadsheet(new_id(), title, now, now, list(parents or []))
        book.sheets.append(Sheet(0, "Sheet1", 0))
        self.books[book.id] = book
        return book

    def put_sheet(self, book: Spreadsheet, title: str, rows: list[list[Any]]) -> Sheet:
        """Set a tab's values (replacing Sheet1 first), as a user typing them would."""
        with self.lock:
            sheet = book.sheet(title)
            if sheet is None:
                if book.sheets == [Sheet(0, "Sheet1", 0)]:
                    sheet = book.sheets[0]
                    sheet.title = title
                else:
                    sheet = Sheet(len(book.sheets) + 1, title, len(book.sheets))
                    book.sheets.append(sheet)
            sheet.cells.clear()
            area = parse_range(book, f"'{title}'")
            write_values(area, rows, "RAW")
            book.modified = self.clock.now()
            return sheet

    def touch(self, book: Spreadsheet) -> None:
        """Move a file's modifiedTime, as any edit does."""
        book.modified = self.clock.now()

    def fail(self, kind: str, status: int = 0, **options: Any) -> None:
        """Queue a fault for the next call of *kind* (e.g. ``values.batchGet``)."""
        self.faults.append(Fault(kind, status, **options))

    def count(self, kind: str | None = None) -> int:
        """API calls made (of *kind*), the token endpoint excluded."""
        return sum(1 for k, _ in self.calls if kind is None or k == kind)

    def counts(self) -> Counter:
        """API calls by kind."""
        return Counter(k for k, _ in self.calls)

    # -- serving ----------------------------------------------------------------
    def start(self) -> GoogleStandin:
        """Serve on 127.0.0.1 on a free port; ``url`` is then set."""
        self._server = make_server(
            "127.0.0.1", 0, self.wsgi, threaded=True, request_handler=QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def wsgi(self, environ: dict, start_response: Any) -> Any:
        """The WSGI entry point."""
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, req: Request) -> Response:
        """Route one request; errors come back as Google's error body."""
        found = _route(req)
        if found is None:
            return json_response(
                {
                    "error": {
                        "code": 404,
                        "message": f"Not Found: {req.path}",
                        "status": "NOT_FOUND",
                    }
                },
                404,
            )
        kind, args = found
        if kind != "token":
            with self.lock:
                self.calls.append((kind, args.get("id", "")))
                if req.method in ("POST", "PUT"):
                    self.bodies.append((kind, req.get_json(force=True, silent=True)))
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(kind, args.get("id"))
        if fault is not None:
            if fault.action is not None:
                with self.lock:
                    fault.action(self)
            if fault.delay:
                time.sleep(fault.delay)
            if fault.body is not None:
                return Response(fault.body, fault.status or 200, content_type="application/json")
            if fault.status:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return error_response(GoogleError(fault.status), headers)
        try:
            if kind == "token":
                return self.token(req)
            self._authorise(req)
            with self.lock:
                return getattr(self, kind.replace(".", "_"))(req, **args)
        except GoogleError as exc:
            return error_response(exc)
        except RangeError as exc:
            return error_response(GoogleError(400, f"Unable to parse range: {exc}"))

    def _take_fault(self, kind: str, sheet: str | None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind == kind and fault.sheet in (None, sheet):
                    if fault.skip:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # -- OAuth ----------------------------------------------------------------------
    def token(self, req: Request) -> Response:
        """The OAuth 2.0 token endpoint for the JWT-bearer grant of service accounts."""
        if req.form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return json_response({"error": "unsupported_grant_type"}, 400)
        try:
            head, body, sig = req.form["assertion"].split(".")
            claims = json.loads(b64decode(body))
            key = self.keys[claims["iss"]]
            key.verify(
                b64decode(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
            if claims["exp"] < time.time() or not str(claims.get("aud", "")).endswith("/token"):
                raise ValueError("expired or wrong audience")
        except Exception:  # noqa: BLE001 - any defect in the assertion is the same answer
            return json_response(
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, 400
            )
        token = "ya29." + new_id(60)
        self.tokens[token] = claims["iss"]
        return json_response({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def _authorise(self, req: Request) -> None:
        auth = req.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        if token not in self.tokens:
            raise GoogleError(401)
        req.environ["standin.account"] = self.tokens[token]

    def _book(self, req: Request, book_id: str) -> Spreadsheet:
        book = self.books.get(book_id)
        if book is None:
            raise GoogleError(404)
        if req.environ.get("standin.account") in book.denied:
            raise GoogleError(403)
        return book

    # -- Sheets v4 --------------------------------------------------------------------
    def spreadsheets_get(self, req: Request, id: str) -> Response:
        book = self._book(req, id)
        out = book.resource()
        if req.args.get("fields"):
            out = apply_fields(out, parse_fields(req.args["fields"]))
        return json_response(out)

    def spreadsheets_batchUpdate(self, req: Request, id: str) -> Response:
        book = self._book(req, id)
        body = req.get_json(force=True, silent=True) or {}
        replies = batch.apply(book, body.get("requests", []))
        self.touch(book)
        return json_response({"spreadsheetId": book.id, "replies": replies})

    def values_get(self, req: Request, id: str, range: str) -> Response:
        book = self._book(req, id)
        return json_response(_value_range(book, range, req.args))

    def values_batchGet(self, req: Request, id: str) -> Response:
        book = self._book(req, id)
        ranges = req.args.getlist("ranges")
        out = [_value_range(book, r, req.args) for r in ranges]
        return json_response({"spreadsheetId": book.id, "valueRanges": out})

    def values_update(self, req: Request, id: str, range: str) -> Response:
        book = self._book(req, id)
        body = req.get_json(force=True, silent=True) or {}
        values = body.get("values")
        if not isinstance(values, list):
            message = (
                "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), "
                f"{json.dumps(values)}"
            )
            raise GoogleError(400, message, "data.values")
        out = _update(book, range, values, req.args.get("valueInputOption", "RAW"))
        self.touch(book)
        return json_response(out)

    def values_batchUpdate(self, req: Request, id: str) -> Response:
        book = self._book(req, id)
        body = req.get_json(force=True, silent=True) or {}
        option = body.get("valueInputOption")
        if option not in ("RAW", "USER_ENTERED"):
            raise GoogleError(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        responses = [_update(book, d["range"], d["values"], option) for d in body.get("data", [])]
        self.touch(book)
        return json_response(
            {
                "spreadsheetId": book.id,
                "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                "totalUpdatedColumns": max((r["updatedColumns"] for r in responses), default=0),
                "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
                "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses}),
                "responses": responses,
            }
        )

    def values_append(self, req: Request, id: str, range: str) -> Response:
        book = self._book(req, id)
        area = parse_range(book, range)
        body = req.get_json(force=True, silent=True) or {}
        # The "table" is the block of non-empty rows from the range's first row down.
        filled = {r for r, _ in area.sheet.cells}
        end = area.row0
        while end in filled:
            end += 1
        title = area.sheet.title
        start = f"'{title}'!{col_letters(area.col0)}{end + 1}"
        out: dict[str, Any] = {"spreadsheetId": book.id}
        if end > area.row0:
            out["tableRange"] = parse_range(
                book,
                f"'{title}'!{col_letters(area.col0)}{area.row0 + 1}:{_last_col(area.sheet)}{end}",
            ).a1()
        out["updates"] = _update(
            book, start, body.get("values", []), req.args.get("valueInputOption", "RAW")
        )
        self.touch(book)
        return json_response(out)

    def values_clear(self, req: Request, id: str, range: str) -> Response:
        book = self._book(req, id)
        area = parse_range(book, range)
        clear(area)
        self.touch(book)
        return json_response({"spreadsheetId": book.id, "clearedRange": area.a1()})

    def values_batchClear(self, req: Request, id: str) -> Response:
        book = self._book(req, id)
        body = req.get_json(force=True, silent=True) or {}
        areas = [parse_range(book, r) for r in body.get("ranges", [])]
        for area in areas:
            clear(area)
        self.touch(book)
        return json_response({"spreadsheetId": book.id, "clearedRanges": [a.a1() for a in areas]})


def _route(req: Request) -> tuple[str, dict[str, str]] | None:
    for method, pattern, kind in _COMPILED:
        m = pattern.match(req.path)
        if m and req.method == method:
            return kind, m.groupdict()
    return None


def _last_col(sheet: Sheet) -> str:
    return col_letters(max(sheet.used()[1], 1) - 1)


def _value_range(book: Spreadsheet, text: str, args: Any) -> dict[str, Any]:
    area = parse_range(book, text)
    option = args.get("valueRenderOption", "FORMATTED_VALUE")
    values = read_values(area, option)
    if args.get("majorDimension") == "COLUMNS":
        width = max((len(r) for r in values), default=0)
        values = [[r[c] if c < len(r) else "" for r in values] for c in range(width)]
    out: dict[str, Any] = {"range": area.a1(), "majorDimension": args.get("majorDimension", "ROWS")}
    if values:
        out["values"] = values
    return out


def _update(book: Spreadsheet, text: str, values: list, option: str) -> dict[str, Any]:
    area = parse_range(book, text)
    rows, cols, cells = write_values(area, values, option)
    r1 = area.row0 + max(rows, 1)
    c1 = area.col0 + max(cols, 1)
    done = parse_range(book, f"'{area.sheet.title}'!A1")
    done = type(done)(area.sheet, area.row0, area.col0, r1, c1)
    return {
        "spreadsheetId": book.id,
        "updatedRange": done.a1(),
        "updatedRows": rows,
        "updatedColumns": cols,
        "updatedCells": cells,
    }
