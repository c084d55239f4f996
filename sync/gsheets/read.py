"""Reading a department's Google Sheet: one ``values:batchGet``, kept as a version.

A sheet is read as the values of its OKRs and Check-ins tabs (unformatted,
dates as serial numbers) in one call. What was read is a ``SheetVersion``,
serialised as canonical JSON so the store can keep it beside .xlsx versions
(same SHA-256 identity, same fallback) and so the nightly run can reuse it
while Drive's ``modifiedTime`` has not moved. The cells go through the same
``okr.reading.read_table`` as an .xlsx's, so numbers parse alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from okr.checkins import is_checkin_sheet
from okr.reading import Table, TableError, read_table
from okr.schema import CHECKINS_SHEET, SHEET
from sync.errors import InputError
from sync.gsheets.client import GoogleApi, sheet_id_of
from sync.xlsx.reading import find_okr_sheet

FORMAT = "okr-gsheet/1"
#: What every stored Google Sheets version starts with (canonical JSON, keys sorted).
MAGIC = b'{"format":"' + FORMAT.encode() + b'"'
RANGES = (SHEET, CHECKINS_SHEET)


@dataclass(frozen=True)
class SheetVersion:
    """The values of one Google Sheet as read at its Drive ``modifiedTime``."""

    id: str
    title: str
    modified: str
    #: tab title -> rows of cell values
    tabs: dict[str, list[list[Any]]] = field(default_factory=dict)

    def encode(self) -> bytes:
        """Canonical JSON: the same values always give the same bytes (and digest)."""
        doc = {
            "format": FORMAT,
            "id": self.id,
            "modifiedTime": self.modified,
            "tabs": self.tabs,
            "title": self.title,
        }
        return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def is_version(data: bytes) -> bool:
    """True when *data* is a stored Google Sheets version (not an .xlsx)."""
    return data.startswith(MAGIC)


def decode(data: bytes) -> SheetVersion:
    """The version stored as *data*; ``InputError`` when it is not one."""
    try:
        doc = json.loads(data)
        return SheetVersion(doc["id"], doc["title"], doc["modifiedTime"], doc["tabs"])
    except (ValueError, KeyError, TypeError):
        raise InputError("stored Google Sheets version is damaged") from None


def table_of(version: SheetVersion, name: str, *, decimal: str | None = None) -> Table:
    """The OKR table of *version*, labelled *name*; ``InputError`` naming the fix.

    *decimal* is ``[organisation] decimal``: Sheets sends numbers as numbers,
    but a cell formatted as text still holds what was typed (``12,5``).
    """
    sheet = find_okr_sheet(list(version.tabs))
    if sheet is None:
        raise InputError(
            f"{name}: has no sheet named {SHEET} (sheets: {', '.join(version.tabs) or 'none'}); "
            "rename the OKR sheet or start from okr template --google"
        )
    try:
        return read_table(version.tabs[sheet], name, sheet, decimal=decimal)
    except TableError as exc:
        raise InputError(f"{name}: sheet {sheet}: {exc}") from None


def parse_version(data: bytes, name: str, *, decimal: str | None = None) -> Table:
    """The OKR table of a stored version's bytes (*decimal* as for ``table_of``)."""
    return table_of(decode(data), name, decimal=decimal)


def fetch(
    api: GoogleApi,
    sheet_id: str,
    name: str,
    *,
    title: str = "",
    modified: str = "",
    deadline: float | None = None,
) -> SheetVersion:
    """Read the OKRs and Check-ins tabs of *sheet_id* in one ``values:batchGet``.

    A sheet whose tabs are named otherwise (an accepted variant such as
    ``OKR``, or no Check-ins) costs one ``spreadsheets.get`` more to learn
    the titles. Raises ``InputError``/``ServiceError`` with one line.
    """
    what = f"Google Sheet {name}"
    try:
        found = api.batch_get(sheet_id, list(RANGES), what, deadline=deadline)
        tabs = list(RANGES)
    except InputError as exc:
        if "Unable to parse range" not in str(exc):
            raise
        titles = api.sheet_titles(sheet_id, what, deadline=deadline)
        okr = find_okr_sheet(titles)
        if okr is None:
            raise InputError(
                f"{name}: has no sheet named {SHEET} (sheets: {', '.join(titles)}); "
                "rename the OKR sheet or start from okr template --google"
            ) from None
        tabs = [okr, *[t for t in titles if is_checkin_sheet(t)][:1]]
        found = api.batch_get(sheet_id, [_quoted(t) for t in tabs], what, deadline=deadline)
    values = {tab: list(vr.get("values", [])) for tab, vr in zip(tabs, found, strict=False)}
    return SheetVersion(sheet_id, title or name, modified, values)


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def read_ref(api: GoogleApi, ref: str, *, decimal: str | None = None) -> Table:
    """The OKR table of the Google Sheet a URL or ``gsheet:<ID>`` names (one call)."""
    return table_of(fetch(api, sheet_id_of(ref), ref), ref, decimal=decimal)
