"""Uploaded department workbooks in the store: every upload a new numbered version.

Table ``upload_versions``: per department CODE, versions 1, 2, 3 ... with the
bytes exactly as uploaded, their SHA-256, who sent them and what the check
found. A version is never overwritten; the latest one of each department is
what the ``uploads`` source gives the consolidation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Engine,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sync.errors import ServiceError
from sync.store.schema import upload_versions

#: Attempts at taking the next version number when uploads of one department race.
RETRIES = 20


@dataclass(frozen=True)
class UploadInfo:
    """One stored version, without its bytes."""

    department: str
    version: int
    filename: str
    digest: str
    size: int
    uploaded_at: datetime
    uploaded_by: str
    errors: int
    warnings: int

    def as_dict(self) -> dict[str, object]:
        """The JSON the API answers."""
        out = dict(vars(self))
        out["uploaded_at"] = self.uploaded_at.isoformat()
        return out


_META = [c for c in upload_versions.c if c.name not in ("id", "data", "problems")]


def _info(row) -> UploadInfo:
    return UploadInfo(*(getattr(row, c.name) for c in _META))


def save_upload(
    engine: Engine,
    department: str,
    data: bytes,
    *,
    digest: str,
    filename: str = "",
    uploaded_by: str = "",
    problems: list[dict[str, str]] | None = None,
) -> UploadInfo:
    """Store *data* as the next version of *department*; the version it became.

    Two uploads racing for one number: the loser of the unique constraint tries
    the next number, so both land.
    """
    problems = problems or []
    errors = sum(p.get("severity") == "error" for p in problems)
    row = {
        "department": department,
        "filename": filename,
        "digest": digest,
        "size": len(data),
        "data": data,
        "uploaded_at": datetime.now(),
        "uploaded_by": uploaded_by,
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": json.dumps(problems, ensure_ascii=False),
    }
    last: Exception | None = None
    for _ in range(RETRIES):
        try:
            with engine.begin() as conn:
                top = conn.execute(
                    select(func.max(upload_versions.c.version)).where(
                        upload_versions.c.department == department
                    )
                ).scalar()
                row["version"] = int(top or 0) + 1
                conn.execute(upload_versions.insert(), row)
            return _info(type("Row", (), row))
        except IntegrityError as exc:
            last = exc
        except SQLAlchemyError as exc:
            raise ServiceError(f"cannot store the upload: {type(exc).__name__}") from exc
    raise ServiceError(f"cannot store the upload: {type(last).__name__}, try again")


def versions(engine: Engine, department: str) -> list[UploadInfo]:
    """Every version of *department*, oldest first."""
    cols = upload_versions.c
    query = select(*_META).where(cols.department == department).order_by(cols.version)
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(query)]


def version_bytes(engine: Engine, department: str, version: int) -> tuple[UploadInfo, bytes] | None:
    """Version *version* of *department* with its bytes, or None."""
    cols = upload_versions.c
    query = select(upload_versions).where(cols.department == department, cols.version == version)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return (_info(row), bytes(row.data)) if row else None


def departments(engine: Engine) -> dict[str, int]:
    """Department CODE -> its latest version number, for every department with uploads."""
    cols = upload_versions.c
    query = select(cols.department, func.max(cols.version)).group_by(cols.department)
    with engine.connect() as conn:
        return {d: int(v) for d, v in conn.execute(query)}


def latest_all(engine: Engine) -> list[tuple[UploadInfo, bytes]]:
    """The latest version of every department with its bytes, by department."""
    cols = upload_versions.c
    top = (
        select(cols.department, func.max(cols.version).label("version"))
        .group_by(cols.department)
        .subquery()
    )
    query = (
        select(upload_versions)
        .join(top, (cols.department == top.c.department) & (cols.version == top.c.version))
        .order_by(cols.department)
    )
    with engine.connect() as conn:
        return [(_info(r), bytes(r.data)) for r in conn.execute(query)]
