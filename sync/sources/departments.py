"""Departments by CODE: the stem of a workbook's name in its source, lowercased.

``sales.xlsx`` is ``sales``, ``emea/okr.xlsx`` is ``emea-okr``. The service
lists them, routes uploads by them and scopes ``department:CODE`` tokens
with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine

from sync.config import Workspace
from sync.errors import InputError
from sync.sources import make_source
from sync.sources.folder import FolderSource
from sync.store import uploads as upload_store

CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def code_of(name: str) -> str:
    """The department CODE of workbook *name* (``emea/okr.xlsx`` -> ``emea-okr``)."""
    stem = name[:-5] if name.lower().endswith(".xlsx") else name
    return stem.replace("\\", "/").strip("/").replace("/", "-").lower()


@dataclass(frozen=True)
class Department:
    """A department the service knows: its CODE, its workbook's name and source."""

    code: str
    workbook: str
    source: str
    latest_version: int | None = None

    def as_dict(self) -> dict[str, object]:
        """The JSON the API answers."""
        return dict(vars(self))


def list_departments(ws: Workspace, engine: Engine) -> list[Department]:
    """The departments of the folder and uploads sources (Google Sheets are not listed)."""
    found: dict[str, Department] = {}
    uploaded = upload_store.departments(engine)
    for src in ws.sources:
        if src.kind == "uploads":
            for code, version in uploaded.items():
                found.setdefault(code, Department(code, f"{code}.xlsx", "uploads", version))
        elif src.kind == "folder":
            source = make_source(src, ws, skip=(ws.output.resolve(),))
            assert isinstance(source, FolderSource)
            try:
                files = source.files()
            except InputError:
                continue
            for path in files:
                name = source.label(path)
                code = code_of(name)
                found.setdefault(code, Department(code, name, src.path, uploaded.get(code)))
    for code, version in uploaded.items():
        found.setdefault(code, Department(code, f"{code}.xlsx", "uploads", version))
    return sorted(found.values(), key=lambda d: d.code)
