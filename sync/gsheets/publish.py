"""The company view published to a Google Sheet: the company workbook's sheets, as values.

``publish`` copies the sheets of the company workbook just written (Company,
Problems, Metrics, Data, Trend, History, Changes: those it has) into an
existing Google Sheet, as values (RAW, so nothing becomes a formula), and
draws the Company tree as row groups for expand and collapse, with the
workbook's links between rows (``sync.gsheets.links``). Calls: one
``spreadsheets.get`` to learn the tabs, ``spreadsheets:batchUpdate``
requests (missing tabs, grid sizes, clearing, frozen headers, row groups,
links) and the values in ``values:batchUpdate`` requests, each under 2 MB:
at most 10 calls for a 50,000-row organisation. New tabs get sheetIds chosen
here, so the links can name them before the tabs exist. The .xlsx is written before and is never
touched: a failure here is reported, nothing else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from sync.company.words import every_sheet_name
from sync.gsheets.client import GoogleApi, sheet_id_of, sheet_url
from sync.gsheets.links import FIELD, link_requests, resolve, xlsx_links

#: The sheets published, by key; a workbook in any language (``sync.company.words``) works.
PUBLISHED_KEYS = ("company", "problems", "metrics", "data", "trend", "history", "changes")
PUBLISHED = tuple(name for key in PUBLISHED_KEYS for name in every_sheet_name(key))
_COMPANY = every_sheet_name("company")
#: Bytes of JSON per values:batchUpdate request (Google advises at most 2 MB).
MAX_REQUEST = 1_900_000
#: Row groups beyond which only objectives with objectives under them are grouped.
MAX_GROUPS = 500
#: Rows of the Company sheet above its first tree row (title, note, header).
COMPANY_FIRST = 3
_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class Published:
    """What publishing did: the sheet's URL, the rows written, the API calls made."""

    url: str
    rows: int
    calls: int


def _plain(value: Any) -> Any:
    """A cell value as JSON: dates become serial numbers (the sheet formats them)."""
    if isinstance(value, datetime):
        return (value - _EPOCH).total_seconds() / 86400
    if isinstance(value, date):
        return (datetime.combine(value, time()) - _EPOCH).total_seconds() / 86400
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return ""
    return value


def read_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """The published sheets of the company workbook at *path*, as rows of values."""
    book = CalamineWorkbook.from_path(str(path))
    out = {}
    for name in PUBLISHED:
        if name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            out[name] = [_trimmed([_plain(v) for v in row]) for row in rows]
    return out


def _trimmed(row: list[Any]) -> list[Any]:
    """*row* without its trailing empty cells (the tab is cleared first; fewer bytes sent)."""
    end = len(row)
    while end and row[end - 1] in ("", None):
        end -= 1
    return row[:end]


def row_groups(
    depths: Sequence[int], first: int = COMPANY_FIRST, most: int = MAX_GROUPS
) -> list[tuple[int, int]]:
    """(start, end) row indexes (0-based, end exclusive) of each node's children.

    *depths* are the Company rows' tree depths in order; a row's group spans
    the rows below it that are deeper, so Sheets shows +/- beside it. Google
    keeps at most 8 levels, and answers each added group with every group of
    the sheet, so past *most* groups only the rows with grandchildren get one
    (an objective's own key results then stay in view).
    """
    groups: list[tuple[int, int, bool]] = []
    stack: list[tuple[int, int, bool]] = []  # (depth, row index, has grandchildren)
    for i, depth in enumerate([*depths, -1]):
        while stack and stack[-1][0] >= depth:
            d, start, deep = stack.pop()
            if i > start + 1 and d < 8:
                groups.append((first + start + 1, first + i, deep))
            if stack and i > start + 1:
                stack[-1] = (stack[-1][0], stack[-1][1], True)
        stack.append((depth, i, False))
    if len(groups) > most:
        groups = [g for g in groups if g[2]]
    return sorted((start, end) for start, end, _ in groups)


def _chunks(
    sheets: dict[str, list[list[Any]]], limit: int = MAX_REQUEST
) -> list[list[dict[str, Any]]]:
    """The values as ``values:batchUpdate`` data lists, each under *limit* bytes of JSON."""
    out: list[list[dict[str, Any]]] = []
    batch: list[dict[str, Any]] = []
    size = 0
    for title, rows in sheets.items():
        quoted = "'" + title.replace("'", "''") + "'"
        start = 0
        block: list[list[Any]] = []
        block_size = 0
        for r, row in enumerate([*rows, None]):
            row_size = len(json.dumps(row, ensure_ascii=False, separators=(",", ":"))) + 1
            if row is None or size + block_size + row_size > limit:
                if block:
                    batch.append({"range": f"{quoted}!A{start + 1}", "values": block})
                    size += block_size + len(quoted) + 40
                if row is None:
                    break
                if size + row_size > limit and batch:
                    out.append(batch)
                    batch, size = [], 0
                block, block_size, start = [], 0, r
            block.append(row)
            block_size += row_size
    if batch:
        out.append(batch)
    return out


def _split(requests: list[dict], limit: int = MAX_REQUEST) -> list[list[dict]]:
    """*requests* in consecutive parts of under *limit* bytes of JSON each."""
    parts: list[list[dict]] = [[]]
    size = 0
    for request in requests:
        n = len(json.dumps(request, separators=(",", ":"))) + 1
        if parts[-1] and size + n > limit:
            parts.append([])
            size = 0
        parts[-1].append(request)
        size += n
    return parts


def publish(api: GoogleApi, target: str, workbook: Path, depths: Sequence[int] = ()) -> Published:
    """Publish the company workbook *workbook* to the Google Sheet *target* (an ID or URL)."""
    sheet_id = sheet_id_of(target)
    what = f"Google Sheet {target}"
    before = sum(api.calls.values())
    sheets = read_sheets(workbook)
    meta = api.call(
        "spreadsheets.get",
        what,
        lambda: api.http.spreadsheets_get(
            sheet_id, params={"fields": "sheets(properties(sheetId,title),rowGroups)"}
        ),
    )
    existing = {s["properties"]["title"]: s for s in meta.get("sheets", [])}
    used = {s["properties"]["sheetId"] for s in existing.values()}
    requests: list[dict] = []
    ids: dict[str, int] = {}
    next_id = 1  # small sheetIds keep every link's "#gid=N" short
    for index, (title, rows) in enumerate(sheets.items()):
        width = max((len(r) for r in rows), default=1) or 1
        grid = {
            "rowCount": max(len(rows), 1) + 1,
            "columnCount": width,
            "frozenRowCount": min(COMPANY_FIRST, len(rows)),
        }
        if title in existing:
            sid = existing[title]["properties"]["sheetId"]
            for group in existing[title].get("rowGroups", []):
                requests.append(
                    {"deleteDimensionGroup": {"range": {**group["range"], "sheetId": sid}}}
                )
            requests.append(
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sid, "index": index, "gridProperties": grid},
                        "fields": "index,gridProperties(rowCount,columnCount,frozenRowCount)",
                    }
                }
            )
            requests.append(
                {
                    "updateCells": {
                        "range": {"sheetId": sid},
                        "fields": f"userEnteredValue,{FIELD}",
                    }
                }
            )
        else:
            while next_id in used:
                next_id += 1
            sid = next_id
            used.add(sid)
            requests.append(
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": sid,
                            "title": title,
                            "index": index,
                            "gridProperties": grid,
                        }
                    }
                }
            )
        ids[title] = sid
    company = next((name for name in _COMPANY if name in ids), None)
    if company is not None:
        for start, end in row_groups(depths):
            requests.append(
                {
                    "addDimensionGroup": {
                        "range": {
                            "sheetId": ids[company],
                            "dimension": "ROWS",
                            "startIndex": start,
                            "endIndex": end,
                        }
                    }
                }
            )
    requests += link_requests(resolve(xlsx_links(workbook), sheets, depths, COMPANY_FIRST), ids)
    for part in _split(requests):
        api.batch_update(sheet_id, part, what)
    for data in _chunks(sheets):
        api.values_update(sheet_id, data, what, raw=True)
    rows = sum(len(r) for r in sheets.values())
    return Published(sheet_url(sheet_id), rows, sum(api.calls.values()) - before)
