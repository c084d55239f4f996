"""Build OKR tables in memory for tests: rows as dicts, keys from okr.schema."""

from __future__ import annotations

from typing import Any

from okr.reading import Table, read_table
from okr.schema import KEYS, header_texts


def grid(rows: list[dict[str, Any]], lang: str = "en") -> list[list[Any]]:
    """A sheet grid: the template's header row, then one row per dict."""
    return [header_texts(lang), *[[row.get(k, "") for k in KEYS] for row in rows]]


def table(rows: list[dict[str, Any]], workbook: str = "sales.xlsx") -> Table:
    """Read *rows* the way a workbook's OKRs sheet is read."""
    return read_table(grid(rows), workbook, "OKRs")


def obj(id: str, parent: str = "", **kw: Any) -> dict[str, Any]:
    """An objective row with sensible defaults."""
    row = {"id": id, "type": "Objective", "parent": parent, "title": f"Objective {id}"}
    row.update(owner="ana@example.org", department="Sales", period="2026-Q4")
    row.update(kw)
    return row


def kr(id: str, parent: str, **kw: Any) -> dict[str, Any]:
    """A key result row (increase 0 -> 100, current 50) with sensible defaults."""
    row = {"id": id, "type": "Key Result", "parent": parent, "title": f"Key result {id}"}
    row.update(owner="ana@example.org", department="Sales", period="2026-Q4")
    row.update(direction="increase", baseline=0, target=100, current=50)
    row.update(kw)
    return row
