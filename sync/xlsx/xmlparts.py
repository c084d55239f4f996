"""Small edits of an .xlsx's XML parts as text: attributes, number formats, calculation.

Used by ``sync.xlsx.patch``; anything unexpected raises ``Unpatchable`` so the
caller can take the openpyxl route.
"""

from __future__ import annotations

import re
from html import unescape  # XML's five entities and character references
from xml.sax.saxutils import escape

_ATTR = re.compile(r'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


class Unpatchable(Exception):
    """The workbook needs the full openpyxl route; the message says why."""


def attrs(text: str) -> dict[str, str]:
    """The attributes of a start tag's inside, unescaped."""
    return {m[1]: unescape(m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(text)}


def quoted(value: str) -> str:
    """*value* escaped for a double-quoted attribute."""
    return escape(value, {'"': "&quot;"})


def format_id(styles: str, code: str) -> tuple[str, str]:
    """*styles* (``xl/styles.xml``) holding number format *code*, and that format's id."""
    for m in re.finditer(r"<numFmt\b([^>]*?)/?>", styles):
        found = attrs(m[1])
        if found.get("formatCode") == code:
            return styles, found.get("numFmtId", "0")
    ids = [int(i) for i in re.findall(r'<numFmt\b[^>]*numFmtId="(\d+)"', styles)]
    new_id = str(max([163, *ids]) + 1)
    entry = f'<numFmt numFmtId="{new_id}" formatCode="{quoted(code)}"/>'
    fmts = re.search(r"<numFmts\b[^>]*>(.*?)</numFmts>", styles, re.S)
    empty = re.search(r"<numFmts\b[^>]*/>", styles)
    if empty is not None:
        block = f'<numFmts count="1">{entry}</numFmts>'
        styles = styles[: empty.start()] + block + styles[empty.end() :]
    elif fmts is not None:
        tag = re.sub(
            r'count="\d+"', f'count="{len(ids) + 1}"', styles[fmts.start() : fmts.start(1)]
        )
        styles = styles[: fmts.start()] + tag + fmts[1] + entry + styles[fmts.end(1) :]
    else:
        m = re.search(r"<styleSheet\b[^>]*>", styles)
        if m is None:
            raise Unpatchable("no styleSheet element")
        block = f'<numFmts count="1">{entry}</numFmts>'
        styles = styles[: m.end()] + block + styles[m.end() :]
    return styles, new_id


def full_calc(wb: str) -> str:
    """``xl/workbook.xml`` asking the application to recalculate everything on load."""
    m = re.search(r"<calcPr\b([^>]*?)(/?)>", wb)
    if m is not None:
        if attrs(m[1]).get("fullCalcOnLoad") in ("1", "true"):
            return wb
        rest = re.sub(r'\s*fullCalcOnLoad\s*=\s*"[^"]*"', "", m[1])
        tag = f'<calcPr{rest} fullCalcOnLoad="1"{m[2]}>'
        return wb[: m.start()] + tag + wb[m.end() :]
    # calcPr follows sheets, functionGroups, externalReferences and definedNames
    ends = [
        wb.find(t) + len(t)
        for t in ("</sheets>", "</functionGroups>", "</externalReferences>", "</definedNames>")
        if t in wb
    ]
    if not ends:
        raise Unpatchable("no sheets element")
    at = max(ends)
    return wb[:at] + '<calcPr calcId="124519" fullCalcOnLoad="1"/>' + wb[at:]
