"""Replay gspread's recorded exchanges with Google against the stand-in and compare shapes.

Each cassette (vcrpy JSON, tests/data/gspread-cassettes) is replayed in
order: the IDs Google made up (spreadsheets, sheets, named and protected
ranges) are mapped to the ones the stand-in makes up as they appear, and
every answer is compared with Google's by status and shape (the same keys,
recursively, and the same JSON types).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import requests

from tests.gsheets_standin import GoogleStandin

#: Calls the stand-in speaks; a cassette with others is not replayed.
SUPPORTED = re.compile(
    r"^(/v4/spreadsheets/[^/]+(:batchUpdate|/values(:batchGet|:batchUpdate|:batchClear|/.+))?"
    r"|/drive/v3/files(/[^/]+(/copy|/permissions)?)?)$"
)
_ID_KEYS = ("id", "spreadsheetId", "sheetId", "namedRangeId", "protectedRangeId")


def shape(value: Any) -> Any:
    """The keys and JSON types of *value*; a list by its first element."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "string"


def differences(google: Any, ours: Any, where: str = "") -> list[str]:
    """Where the shapes of two answers differ, one line each."""
    if isinstance(google, dict) and isinstance(ours, dict):
        out = [f"{where}.{k}: missing" for k in google if k not in ours]
        out += [f"{where}.{k}: not in Google's answer" for k in ours if k not in google]
        for k in google:
            if k in ours:
                out += differences(google[k], ours[k], f"{where}.{k}")
        return out
    if isinstance(google, list) and isinstance(ours, list):
        if google and ours:
            return differences(google[0], ours[0], f"{where}[0]")
        return []
    return [] if google == ours else [f"{where}: Google {google}, stand-in {ours}"]


def _learn(google: Any, ours: Any, ids: dict[str, str]) -> None:
    """Map IDs in Google's answer to the stand-in's, walking both answers together."""
    if isinstance(google, dict) and isinstance(ours, dict):
        for k, v in google.items():
            if k in _ID_KEYS and k in ours and not isinstance(v, dict | list):
                if str(v) != str(ours[k]):
                    ids.setdefault(str(v), str(ours[k]))
            elif k in ours:
                _learn(v, ours[k], ids)
    elif isinstance(google, list) and isinstance(ours, list):
        for g, o in zip(google, ours, strict=False):
            _learn(g, o, ids)


def _swap(text: str, ids: dict[str, str]) -> str:
    for old, new in sorted(ids.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
    return text


def supported(cassette: dict) -> bool:
    """True when every request of *cassette* is a call the stand-in speaks."""
    for it in cassette["interactions"]:
        parts = urlsplit(it["request"]["uri"])
        if parts.hostname == "oauth2.googleapis.com":
            continue
        if not SUPPORTED.match(unquote(parts.path)):
            return False
    return True


def replay(cassette: dict, standin: GoogleStandin, token: str) -> list[str]:
    """Replay *cassette*; the differences found, each naming the request."""
    ids: dict[str, str] = {}
    problems: list[str] = []
    session = requests.Session()
    for n, it in enumerate(cassette["interactions"]):
        req, resp = it["request"], it["response"]
        parts = urlsplit(req["uri"])
        recorded = resp["status"]["code"]
        path = _swap(parts.path, ids)
        if recorded == 403 and path.startswith("/v4/spreadsheets/"):
            # A sheet someone else owns: the stand-in holds it, shared with nobody.
            book_id = unquote(path.split("/")[3].split(":")[0])
            if book_id not in standin.books:
                book = standin.new_book("private")
                standin.books[book_id] = book
                book.id = book_id
                book.denied.add(next(iter(standin.keys)))
        query = _swap(parts.query, ids)
        body = _swap(req["body"], ids) if req["body"] else None
        url = (
            standin.url
            + quote(unquote(path), safe="/:!'(),*@$&+;=")
            + (f"?{query}" if query else "")
        )
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        answer = session.request(req["method"], url, data=body, headers=headers)
        label = f"#{n} {req['method']} {parts.path}"
        if answer.status_code != recorded:
            problems.append(f"{label}: status {answer.status_code}, Google {recorded}")
            continue
        text = resp["body"]["string"]
        if not text.strip():
            continue
        try:
            google = json.loads(text)
        except ValueError:
            continue
        ours = answer.json()
        problems += [f"{label} {d}" for d in differences(shape(google), shape(ours))]
        _learn(google, ours, ids)
    return problems
