"""Google's wire format for the stand-in: error bodies, field masks, faults, service-account keys.

Errors are ``{"error": {"code", "message", "status"}}`` with Google's status
names (429 is ``RESOURCE_EXHAUSTED``); field masks accept both ``a.b`` and
``a/b`` spellings and ``files(id,name)`` sub-selections.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Response

from tests.gsheets_model import new_id

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
MESSAGES = {
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
    "per user' of service 'sheets.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Say nothing."""


class GoogleError(Exception):
    """An error answer in Google's shape."""

    def __init__(self, code: int, message: str = "", field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message or MESSAGES.get(code, "Bad request")
        #: the request field at fault: Google then adds a BadRequest detail
        self.field = field


@dataclass
class Fault:
    """One queued fault: matched by call kind (and sheet ID), used *times* times."""

    kind: str
    status: int = 0
    retry_after: str | None = None
    delay: float = 0.0
    body: str | None = None
    sheet: str | None = None
    times: int = 1
    #: matching calls to let through before this fault applies
    skip: int = 0
    #: run (with the stand-in) before the call is answered, e.g. to edit the sheet meanwhile
    action: Any = None


def b64decode(text: str) -> bytes:
    """Base64url without padding, as JWTs use it."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_key_file(email: str = "okr-sync@okr-test.iam.gserviceaccount.com") -> dict[str, str]:
    """A throwaway service-account key (the JSON Google hands out), with a fresh RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "okr-test",
        "private_key_id": new_id(40),
        "private_key": pem,
        "client_email": email,
        "client_id": "1234567890",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


def json_response(value: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(value, indent=2),
        status,
        headers or {},
        content_type="application/json; charset=UTF-8",
    )


def error_response(exc: GoogleError, headers: dict | None = None) -> Response:
    body: dict[str, Any] = {
        "error": {
            "code": exc.code,
            "message": exc.message,
            "status": STATUS_NAMES.get(exc.code, "UNKNOWN"),
        }
    }
    if exc.field:
        violation = {"field": exc.field, "description": exc.message}
        body["error"]["details"] = [
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}
        ]
    return json_response(body, exc.code, headers)


def parse_fields(text: str) -> dict[str, Any]:
    """A field mask (``a.b,c/d``, ``files(id,name)``) as a tree; {} means everything."""
    tree: dict[str, Any] = {}
    pos = 0

    def parse(level: dict[str, Any]) -> None:
        nonlocal pos
        while pos < len(text):
            m = re.match(r"\s*([A-Za-z0-9_@./]+)", text[pos:])
            if not m:
                raise ValueError(f"Invalid field selection {text}")
            pos += m.end()
            node = level
            for part in re.split(r"[./]", m.group(1)):
                node = node.setdefault(part, {})
            if pos < len(text) and text[pos] == "(":
                pos += 1
                parse(node)
                pos += 1  # the closing parenthesis
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            return

    parse(tree)
    return tree


def apply_fields(value: Any, tree: dict[str, Any]) -> Any:
    """*value* with only the fields the mask *tree* names."""
    if not tree:
        return value
    if isinstance(value, list):
        return [apply_fields(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, sub in tree.items():
        if key == "*":
            return value
        if key in value:
            kept = apply_fields(value[key], sub)
            if kept != {} or not sub:
                out[key] = kept
    return out
