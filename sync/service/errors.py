"""Every error answer is ``{"error": {"code", "message"}}``; nothing internal leaks.

``ApiError`` carries a status and a code for the routes' own refusals; the
project's exceptions are translated once here: ``InputError`` 400 (422 for
an unreadable workbook, raised as ``ApiError``), ``LockedError`` 409,
``ServiceError`` 503, anything else a plain 500 that says nothing about the
internals (the traceback goes to the server's own log only).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify

from sync.errors import InputError, LockedError, OkrError, ServiceError

log = logging.getLogger("okr.service")

#: The code of each HTTP status when a route raises no code of its own.
CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "locked",
    413: "too-large",
    415: "unsupported-media-type",
    422: "unprocessable",
    429: "rate-limited",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    """A refusal with an HTTP *status*, a stable *code* and a message for the user."""

    def __init__(self, status: int, message: str, code: str | None = None, headers=None) -> None:
        """*code* defaults to the status's code in ``CODES``."""
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.headers = dict(headers or {})


def error_body(status: int, message: str, code: str | None = None) -> dict:
    """The JSON body of an error answer."""
    return {"error": {"code": code or CODES.get(status, "error"), "message": message}}


def _answer(status: int, message: str, code: str | None = None, headers=None):
    response = jsonify(error_body(status, message, code))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


_MESSAGES = {
    404: "no such route; see /api/v1/openapi.json",
    405: "this route does not take that method; see /api/v1/openapi.json",
    413: "the request is too large",
}


def _flatten(detail, path: str = "") -> list[str]:
    """Marshmallow's nested messages as ``field: message`` lines."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            where = key if key in ("json", "query", "form", "files") else str(key)
            prefix = "" if where in ("json", "query", "form", "files") else where
            out += _flatten(value, f"{path}.{prefix}".strip(".") if prefix else path)
        return out
    if isinstance(detail, list):
        return [f"{path}: {m}" if path else str(m) for m in detail if not isinstance(m, dict)]
    return [f"{path}: {detail}" if path else str(detail)]


def install(app: Flask) -> None:
    """Register the handlers on *app*."""

    @app.errorhandler(ApiError)
    def _api(exc: ApiError):
        return _answer(exc.status, exc.message, exc.code, exc.headers)

    @app.errorhandler(LockedError)
    def _locked(exc: LockedError):
        return _answer(409, str(exc), "locked")

    @app.errorhandler(ServiceError)
    def _service(exc: ServiceError):
        log.warning("store or outside service failed: %s", exc)
        return _answer(503, str(exc), "unavailable", {"Retry-After": "5"})

    @app.errorhandler(InputError)
    def _input(exc: InputError):
        return _answer(400, str(exc), "bad-request")

    @app.errorhandler(OkrError)
    def _okr(exc: OkrError):
        return _answer(400, str(exc), "bad-request")

    @app.error_processor
    def _http(exc):
        # APIFlask's HTTPError: werkzeug's errors and failed input validation.
        status = exc.status_code
        message = _MESSAGES.get(status, exc.message)
        if exc.detail:
            message = "; ".join(_flatten(exc.detail)) or message
        return error_body(status, message), status, exc.headers

    @app.errorhandler(Exception)
    def _internal(exc: Exception):
        # Store connection errors raised by SQLAlchemy outside our wrappers are outages.
        from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

        lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
        if lost or isinstance(exc, OperationalError | InterfaceError):
            log.warning("store unreachable: %s", type(exc).__name__)
            return _answer(
                503,
                "the store is unreachable; try again shortly",
                "unavailable",
                {"Retry-After": "5"},
            )
        log.exception("unexpected error")
        return _answer(500, "internal error; the server's log has the details", "internal")
