"""``spreadsheets:batchUpdate`` for the Google stand-in: apply requests, shape the replies.

Replies follow Google's: one per request, ``{}`` for the requests that
return nothing, and proto3's habit of leaving out a zero ``sheetId``.
"""

from __future__ import annotations

import random
from typing import Any

from tests.gsheets_model import Formula, Sheet, Spreadsheet
from tests.gsheets_wire import GoogleError


class BatchError(Exception):
    """A request Google would refuse with 400."""


def _range(grid: dict[str, Any]) -> dict[str, Any]:
    """A GridRange as Google echoes it (a zero sheetId left out)."""
    return {k: v for k, v in grid.items() if not (k == "sheetId" and v == 0)}


def _sheet(book: Spreadsheet, sheet_id: int | None) -> Sheet:
    sheet = book.sheet(sheet_id=sheet_id or 0)
    if sheet is None:
        from tests.gsheets_wire import GoogleError

        raise GoogleError(400, f"Invalid requests: No grid with id: {sheet_id}")
    return sheet


def _cell_value(cell: dict[str, Any]) -> Any:
    value = cell.get("userEnteredValue")
    if not value:
        return None
    if "formulaValue" in value:
        return Formula(value["formulaValue"])
    for key in ("stringValue", "numberValue", "boolValue"):
        if key in value:
            return value[key]
    return None


def apply(book: Spreadsheet, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply every request in order; the list of replies."""
    replies = []
    for request in requests:
        (kind, body), *_ = request.items()
        handler = _HANDLERS.get(kind)
        replies.append(handler(book, body) if handler else {})
    return replies


def _add_sheet(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties", {})
    grid = props.get("gridProperties", {})
    sheet = Sheet(
        props.get("sheetId", random.randint(1, 2**31 - 1)),
        props.get("title") or f"Sheet{len(book.sheets) + 1}",
        props.get("index", len(book.sheets)),
        grid.get("rowCount", 1000),
        grid.get("columnCount", 26),
        grid.get("frozenRowCount", 0),
        grid.get("frozenColumnCount", 0),
        bool(props.get("hidden", False)),
    )
    for other in book.sheets:
        if other.index >= sheet.index:
            other.index += 1
    book.sheets.append(sheet)
    return {"addSheet": {"properties": sheet.properties()}}


def _delete_sheet(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    sheet = _sheet(book, body.get("sheetId"))
    book.sheets.remove(sheet)
    for i, s in enumerate(sorted(book.sheets, key=lambda s: s.index)):
        s.index = i
    return {}


def _update_sheet(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties", {})
    sheet = _sheet(book, props.get("sheetId"))
    fields = body.get("fields", "*")
    grid = props.get("gridProperties", {})
    if "title" in props and ("title" in fields or fields == "*"):
        sheet.title = props["title"]
    if "hidden" in props:
        if props["hidden"] and all(s.hidden for s in book.sheets if s is not sheet):
            from tests.gsheets_wire import GoogleError

            raise GoogleError(
                400,
                "Invalid requests[0].updateSheetProperties: You can't hide all the sheets "
                "in a document.",
            )
        sheet.hidden = bool(props["hidden"])
    sheet.rows = grid.get("rowCount", sheet.rows)
    sheet.cols = grid.get("columnCount", sheet.cols)
    if "rowCount" in grid or "columnCount" in grid:
        # A smaller grid drops the rows and columns cut off, with their values and links.
        for store in (sheet.cells, sheet.links):
            for key in [k for k in store if k[0] >= sheet.rows or k[1] >= sheet.cols]:
                del store[key]
    sheet.frozen_rows = grid.get("frozenRowCount", sheet.frozen_rows)
    sheet.frozen_cols = grid.get("frozenColumnCount", sheet.frozen_cols)
    if "index" in props:
        sheet.index = props["index"]
    return {}


def _update_spreadsheet(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    title = body.get("properties", {}).get("title")
    if title:
        book.title = title
    return {}


def _update_cells(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    if "start" in body:
        start = body["start"]
        sheet = _sheet(book, start.get("sheetId"))
        row0, col0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
    else:
        grid = body.get("range", {})
        sheet = _sheet(book, grid.get("sheetId"))
        row0, col0 = grid.get("startRowIndex", 0), grid.get("startColumnIndex", 0)
    fields = body.get("fields", "")
    if not fields:
        raise GoogleError(400, "Invalid requests[0].updateCells: fields is required")
    masks = [f.strip() for f in fields.split(",")]
    links = fields == "*" or any(_covers(m, "userEnteredFormat.textFormat.link") for m in masks)
    if "range" in body and not body.get("rows"):
        # No rows: the fields named are cleared over the range.
        grid = body["range"]
        r1, c1 = grid.get("endRowIndex", sheet.rows), grid.get("endColumnIndex", sheet.cols)
        inside = lambda k: row0 <= k[0] < r1 and col0 <= k[1] < c1  # noqa: E731
        if "userEnteredValue" in masks or fields == "*":
            for key in [k for k in sheet.cells if inside(k)]:
                del sheet.cells[key]
        if links:
            for key in [k for k in sheet.links if inside(k)]:
                del sheet.links[key]
        return {}
    for i, row in enumerate(body.get("rows", [])):
        for j, cell in enumerate(row.get("values", [])):
            if "userEnteredValue" in fields or fields == "*":
                value = _cell_value(cell)
                if value is None:
                    sheet.cells.pop((row0 + i, col0 + j), None)
                else:
                    sheet.cells[row0 + i, col0 + j] = value
            if links:
                link = cell.get("userEnteredFormat", {}).get("textFormat", {}).get("link")
                if link is None:
                    sheet.links.pop((row0 + i, col0 + j), None)
                elif not isinstance(link.get("uri"), str):
                    raise GoogleError(400, "Invalid value at 'link': uri must be a string")
                else:
                    sheet.links[row0 + i, col0 + j] = link["uri"]
            if "userEnteredFormat" in cell:
                sheet.formats.append(
                    {"row": row0 + i, "col": col0 + j, "format": cell["userEnteredFormat"]}
                )
        sheet.rows = max(sheet.rows, row0 + i + 1)
    return {}


def _covers(mask: str, path: str) -> bool:
    """True when the field mask *mask* names *path* or a field that holds it."""
    return path == mask or path.startswith(mask + ".")


def _repeat_cell(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    grid = body.get("range", {})
    _sheet(book, grid.get("sheetId")).formats.append(body)
    return {}


def _set_validation(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    grid = body.get("range", {})
    _sheet(book, grid.get("sheetId")).validations.append(body)
    return {}


def _add_conditional(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    rule = body.get("rule", {})
    ranges = rule.get("ranges", [{}])
    sheet = _sheet(book, ranges[0].get("sheetId"))
    rule = {**rule, "ranges": [_range(r) | {"sheetId": r.get("sheetId", 0)} for r in ranges]}
    sheet.conditional_formats.insert(body.get("index", len(sheet.conditional_formats)), rule)
    return {}


def _add_protected(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    given = body.get("protectedRange", {})
    grid = given.get("range", {})
    sheet = _sheet(book, grid.get("sheetId"))
    out: dict[str, Any] = {"protectedRangeId": random.randint(1, 2**31 - 1), "range": _range(grid)}
    if given.get("description"):
        out["description"] = given["description"]
    if given.get("warningOnly"):
        out["warningOnly"] = True
    out["requestingUserCanEdit"] = True
    out["editors"] = {}
    # Google lists the owner (the caller) as the editor when the sheet is read back.
    sheet.protected_ranges.append({**out, "editors": {"users": [book.owner]}})
    return {"addProtectedRange": {"protectedRange": out}}


def _delete_protected(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    for sheet in book.sheets:
        sheet.protected_ranges = [
            p
            for p in sheet.protected_ranges
            if p["protectedRangeId"] != body.get("protectedRangeId")
        ]
    return {}


def _add_named(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    given = body.get("namedRange", {})
    grid = given.get("range", {})
    _sheet(book, grid.get("sheetId"))
    named = {
        "namedRangeId": given.get("namedRangeId") or str(random.randint(1, 2**31 - 1)),
        "name": given["name"],
        "range": _range(grid),
    }
    book.named_ranges.append(named)
    return {"addNamedRange": {"namedRange": named}}


def _delete_named(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    book.named_ranges = [
        n for n in book.named_ranges if n["namedRangeId"] != body.get("namedRangeId")
    ]
    return {}


def _insert_dimension(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    grid = body.get("range", {})
    sheet = _sheet(book, grid.get("sheetId"))
    start, end = grid.get("startIndex", 0), grid.get("endIndex", 0)
    axis = 0 if grid.get("dimension", "ROWS") == "ROWS" else 1
    moved = {}
    for key, value in sheet.cells.items():
        if key[axis] >= start:
            key = (key[0] + end - start, key[1]) if axis == 0 else (key[0], key[1] + end - start)
        moved[key] = value
    sheet.cells = moved
    if axis == 0:
        sheet.rows += end - start
    else:
        sheet.cols += end - start
    return {}


def _delete_dimension(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    grid = body.get("range", {})
    sheet = _sheet(book, grid.get("sheetId"))
    start, end = grid.get("startIndex", 0), grid.get("endIndex", 0)
    axis = 0 if grid.get("dimension", "ROWS") == "ROWS" else 1
    kept = {}
    for key, value in sheet.cells.items():
        if start <= key[axis] < end:
            continue
        if key[axis] >= end:
            key = (key[0] - end + start, key[1]) if axis == 0 else (key[0], key[1] - end + start)
        kept[key] = value
    sheet.cells = kept
    if axis == 0:
        sheet.rows -= end - start
    else:
        sheet.cols -= end - start
    return {}


def _add_group(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    grid = body.get("range", {})
    sheet = _sheet(book, grid.get("sheetId"))
    start, end = grid.get("startIndex", 0), grid.get("endIndex", 0)
    depth = 1 + sum(
        1
        for g in sheet.row_groups
        if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"]
    )
    sheet.row_groups.append(
        {
            "range": {
                "dimension": grid.get("dimension", "ROWS"),
                "startIndex": start,
                "endIndex": end,
            },
            "depth": depth,
        }
    )
    groups = sorted(sheet.row_groups, key=lambda g: (g["range"]["startIndex"], g["depth"]))
    return {"addDimensionGroup": {"dimensionGroups": groups}}


def _delete_group(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    grid = body.get("range", {})
    sheet = _sheet(book, grid.get("sheetId"))
    sheet.row_groups = [
        g
        for g in sheet.row_groups
        if (g["range"]["startIndex"], g["range"]["endIndex"])
        != (grid.get("startIndex"), grid.get("endIndex"))
    ]
    return {"deleteDimensionGroup": {}}


_HANDLERS = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet,
    "updateSpreadsheetProperties": _update_spreadsheet,
    "updateCells": _update_cells,
    "repeatCell": _repeat_cell,
    "setDataValidation": _set_validation,
    "addConditionalFormatRule": _add_conditional,
    "addProtectedRange": _add_protected,
    "addNamedRange": _add_named,
    "deleteProtectedRange": _delete_protected,
    "deleteNamedRange": _delete_named,
    "addDimensionGroup": _add_group,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "deleteDimensionGroup": _delete_group,
}
