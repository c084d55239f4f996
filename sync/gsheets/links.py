"""Links between rows of the published company view, as in the company workbook.

The .xlsx links its cells to rows (a repeated objective to its first
appearance, a problem count to the Problems row, a key result's Data cell
to its block of records, Metrics and Problems IDs to the item's row, the
Data headings back up to Company). ``xlsx_links`` reads those links from the
workbook just written; ``link_requests`` turns them into ``updateCells``
requests that give each cell a cell-level link to ``#gid=<sheetId>&range=A<row>``
(Sheets' in-document link). Only the link is set (``userEnteredFormat
.textFormat.link``): the cell's value is written RAW like every other, so
text from outside is never part of a formula or a request that could make one.

The department sheets are not published, so a link into one lands instead
on the item's row in Company; a Company ID whose .xlsx link goes to its
department row links to its parent's row in the tree.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sync.company.words import every_sheet_name
from sync.xlsx.links import MAX_LINKS

#: Sheets whose links are published, in every language of the company workbook
#: (Trend, History and Changes stay plain values).
LINKED = tuple(
    n for key in ("company", "data", "metrics", "problems") for n in every_sheet_name(key)
)
_COMPANY = every_sheet_name("company")
#: Rows without a link that one updateCells request may step over before a new one starts.
GAP = 8
#: Rows one updateCells request covers at most (about 0.2 MB): requests pack under 2 MB.
RUN = 2_000
FIELD = "userEnteredFormat.textFormat.link"

_HYPERLINK = re.compile(rb"<hyperlink\s([^>]*)/?>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_CELL = re.compile(r"([A-Z]+)(\d+)$")
_TARGET = re.compile(r"^'?(.*?)'?!\$?[A-Z]+\$?(\d+)$", re.S)

#: (row, col, target sheet, target row), all 0-based
Link = tuple[int, int, str, int]


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package."""
    book = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    target = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    target.update({rid: t for t, rid in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for name, rid in re.findall(r'<sheet name="([^"]*)"[^>]*r:id="([^"]+)"', book):
        path = target.get(rid, "")
        out[html.unescape(name)] = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return out


def xlsx_links(path: Path, sheets: Sequence[str] = LINKED) -> dict[str, list[Link]]:
    """The internal links of *sheets* in the workbook at *path*: sheet -> links."""
    out: dict[str, list[Link]] = {}
    with zipfile.ZipFile(path) as z:
        parts = _sheet_paths(z)
        for name in sheets:
            if name not in parts:
                continue
            data = z.read(parts[name])
            start = data.rfind(b"<hyperlinks>")
            found: list[Link] = []
            for m in _HYPERLINK.finditer(data, start if start >= 0 else len(data)):
                attrs = {k.decode(): html.unescape(v.decode()) for k, v in _ATTR.findall(m[1])}
                cell = _CELL.match(attrs.get("ref", ""))
                where = _TARGET.match(attrs.get("location", ""))
                if cell and where:
                    sheet = where[1].replace("''", "'")
                    found.append((int(cell[2]) - 1, _col(cell[1]), sheet, int(where[2]) - 1))
            out[name] = found
    return out


def parents(depths: Sequence[int], first: int) -> dict[int, int]:
    """Company row -> its parent's row (0-based), from the tree depths of the rows."""
    out: dict[int, int] = {}
    stack: list[tuple[int, int]] = []  # (depth, row)
    for i, depth in enumerate(depths):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            out[first + i] = stack[-1][1]
        stack.append((depth, first + i))
    return out


def resolve(
    links: dict[str, list[Link]],
    values: dict[str, list[list[Any]]],
    depths: Sequence[int],
    first: int,
) -> dict[str, dict[tuple[int, int], tuple[str, int]]]:
    """Where each linked cell of the published sheets leads: sheet -> (row, col) -> target."""
    name = next((n for n in _COMPANY if n in values), _COMPANY[0])
    company = values.get(name, [])
    first_row: dict[str, int] = {}
    for r in range(first, len(company)):
        text = company[r][0] if company[r] else ""
        if isinstance(text, str) and text:
            first_row.setdefault(text, r)
    up = parents(depths, first)
    out: dict[str, dict[tuple[int, int], tuple[str, int]]] = {}
    left = MAX_LINKS  # as many as one .xlsx sheet keeps: bounds the request bytes
    for sheet in LINKED:
        if sheet not in links or sheet not in values:
            continue
        cells: dict[tuple[int, int], tuple[str, int]] = {}
        for row, col, target, target_row in links[sheet]:
            if target not in values:  # a department sheet, not published
                if sheet == name and col == 0:
                    if row not in up:
                        continue
                    target, target_row = name, up[row]
                else:
                    rows = values[sheet]
                    text = rows[row][col] if row < len(rows) and col < len(rows[row]) else ""
                    if not isinstance(text, str) or text not in first_row:
                        continue
                    target, target_row = name, first_row[text]
            if left <= 0:
                break
            cells[row, col] = (target, target_row)
            left -= 1
        if sheet == name:
            # Rows past the .xlsx's link budget still link to their parents.
            for row, parent in up.items():
                if (row, 0) not in cells and left > 0:
                    cells[row, 0] = (name, parent)
                    left -= 1
        out[sheet] = cells
    return out


def uri(sheet_id: int, row: int) -> str:
    """Sheets' in-document link to column A of 0-based *row* of tab *sheet_id*."""
    return f"#gid={sheet_id}&range=A{row + 1}"


def link_requests(
    targets: dict[str, dict[tuple[int, int], tuple[str, int]]], ids: dict[str, int]
) -> list[dict[str, Any]]:
    """``updateCells`` requests setting every link: one per run of linked rows of a column."""
    out: list[dict[str, Any]] = []
    for sheet, cells in targets.items():
        by_col: dict[int, list[int]] = {}
        for row, col in cells:
            by_col.setdefault(col, []).append(row)
        for col, rows in sorted(by_col.items()):
            rows.sort()
            run: list[int] = []
            for row in [*rows, None]:
                if run and (row is None or row - run[-1] > GAP or row - run[0] >= RUN):
                    out.append(_update(ids[sheet], col, run, cells, ids))
                    run = []
                if row is not None:
                    run.append(row)
    return out


def _update(
    sheet_id: int,
    col: int,
    run: list[int],
    cells: dict[tuple[int, int], tuple[str, int]],
    ids: dict[str, int],
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for r in range(run[0], run[-1] + 1):
        target = cells.get((r, col))
        if target is None:
            rows.append({})
        else:
            link = {"uri": uri(ids[target[0]], target[1])}
            rows.append({"values": [{"userEnteredFormat": {"textFormat": {"link": link}}}]})
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": run[0], "columnIndex": col},
            "fields": FIELD,
            "rows": rows,
        }
    }
