"""``POST /check``: rows of an OKRs table as JSON -> the problems, as ``okr check`` finds them."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app

from okr.cascade import check as check_items
from okr.functions import ArgumentError, as_grid, day
from okr.model import Item
from okr.problems import ERROR, sort_key
from okr.reading import TableError, leading_id, read_table
from okr.schema import header_texts
from sync.service.auth import require
from sync.service.errors import ApiError
from sync.service.schemas import CheckRequest, CheckResult

bp = APIBlueprint("check", __name__, tag="check")


def _grid(rows: list) -> list[list[object]]:
    """Rows as a grid: lists of cells (header first), or objects keyed by column header."""
    if rows and all(isinstance(r, dict) for r in rows):
        header = header_texts("en")
        lookup = {h.lower(): h for h in header}
        extra = [k for r in rows for k in r if k.lower() not in lookup]
        if extra:
            raise ApiError(
                400,
                f"rows: unknown column {extra[0]!r}; use the OKRs headers ({', '.join(header)})",
            )
        keyed = [{k.lower(): v for k, v in r.items()} for r in rows]
        return [header, *[[r.get(h.lower()) for h in header] for r in keyed]]
    try:
        return as_grid("rows", rows)
    except ArgumentError as exc:
        raise ApiError(400, str(exc), "bad-argument") from None


@bp.post("/check")
@require("any")
@bp.input(CheckRequest, arg_name="body")
@bp.output(CheckResult)
@bp.doc(security="BearerAuth", responses={400: "rows that are not a table"})
def check(body: dict):
    """Check rows of an OKRs table (header row first, or objects keyed by header)."""
    grid = _grid(body["rows"])
    try:
        today = day(body.get("as_of"))
    except ValueError as exc:
        raise ApiError(400, str(exc), "bad-argument") from None
    try:
        table = read_table(grid, "", "OKRs", decimal=current_app.extensions["okr"].ws.decimal)
    except TableError as exc:
        raise ApiError(400, f"rows: {exc}", "bad-argument") from None
    ids = (leading_id(p) for p in body.get("parents") or () if isinstance(p, str | int))
    context = [Item(id=i, kind=None, parent=None) for i in ids if i]
    found = [*table.problems, *check_items(list(table.items), today=today, context=context)]
    found.sort(key=sort_key)
    errors = sum(p.severity == ERROR for p in found)
    return {
        "problems": [p.as_dict() for p in found],
        "errors": errors,
        "warnings": len(found) - errors,
        "rows": len(table.items),
    }
