"""Numbers written into one sheet of an .xlsx by editing its XML, every other part kept as is.

A metric refresh changes two cells per key result. Loading and saving the
whole workbook with openpyxl costs about a second per department workbook and
rewrites every part; ``SheetPatch`` instead edits only the sheet's
``<c>`` elements, adds a cell style when a number format is asked for, and sets
``fullCalcOnLoad`` in ``xl/workbook.xml``. The other parts are copied
unchanged.

Anything it does not handle plainly (a namespace prefix, a formula in a cell to
overwrite, implicit row or cell positions, another encoding) raises
``Unpatchable``, and the caller takes the openpyxl route instead.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from datetime import datetime
from html import unescape  # XML's five entities and character references
from xml.etree import ElementTree

from sync.xlsx.bounds import column_index, column_name
from sync.xlsx.xmlparts import Unpatchable, attrs, format_id, full_calc, quoted
from sync.xlsx.zipcopy import replace_members

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
_ROW = re.compile(r"<row\b([^>]*?)(/?)>")
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_CELL_OPEN = re.compile(r'<c\b(?:[^>]*?\sr="([A-Z]{1,3})\d+")?')
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_WINDOWS_EPOCH = datetime(1899, 12, 30)
_MAC_EPOCH = datetime(1904, 1, 1)


def _split(ref: str) -> tuple[int, int]:
    m = _REF.match(ref)
    if not m:
        raise Unpatchable(f"cell reference {ref!r}")
    return int(m[2]), column_index(m[1])


def _number(value: float) -> str:
    return f"{value:.16g}"  # what openpyxl writes


def _text(part: str) -> str:
    """The text of an ``<is>`` or ``<si>`` body: its ``<t>`` runs, phonetic runs left out."""
    part = re.sub(r"<rPh\b.*?</rPh>", "", part, flags=re.S)
    return "".join(unescape(t) for t in re.findall(r"<t\b[^>]*>(.*?)</t>", part, re.S))


class SheetPatch:
    """The parts of an .xlsx needed to write numbers into sheet *sheet*."""

    def __init__(self, data: bytes, sheet: str) -> None:
        self.data = data
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise Unpatchable("not a zip file") from None
        self.workbook = self._part("xl/workbook.xml")
        if not re.search(rf'<workbook\b[^>]*\sxmlns="{re.escape(MAIN)}"', self.workbook):
            raise Unpatchable("the workbook part uses a namespace prefix")
        self.path = self._sheet_path(sheet)
        self.sheet = self._part(self.path)
        if not re.search(rf'<worksheet\b[^>]*\sxmlns="{re.escape(MAIN)}"', self.sheet):
            raise Unpatchable("the sheet part uses a namespace prefix")
        pr = re.search(r"<workbookPr\b([^>]*)>", self.workbook)
        date1904 = attrs(pr[1]).get("date1904", "0").lower() in ("1", "true") if pr else False
        self.epoch = _MAC_EPOCH if date1904 else _WINDOWS_EPOCH
        start = self.sheet.find("<sheetData>")
        end = self.sheet.find("</sheetData>")
        if start < 0 or end < 0:
            raise Unpatchable("no sheetData element")
        self.head, self.tail = self.sheet[: start + len("<sheetData>")], self.sheet[end:]
        self.body = self.sheet[len(self.head) : end]
        self.order: list[int] = []
        self.spans: dict[int, tuple[int, int]] = {}
        self.parsed: dict[int, list] = {}
        self._index()
        self.styles: str | None = None
        self.new_styles: dict[tuple[str, str], str] = {}

    def _part(self, name: str) -> str:
        try:
            raw = self.zip.read(name)
        except KeyError:
            raise Unpatchable(f"no part {name}") from None
        head = raw[:100].lower()
        if b"encoding=" in head and b"utf-8" not in head:
            raise Unpatchable(f"{name} is not UTF-8")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Unpatchable(f"{name} is not UTF-8") from None

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part path) of *part*."""
        folder, name = posixpath.split(part)
        rels = f"{folder}/_rels/{name}.rels"
        if rels not in self.zip.namelist():
            return {}
        root = ElementTree.fromstring(self.zip.read(rels))
        out = {}
        for rel in root.iter(f"{{{_REL}}}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
        return out

    def _sheet_path(self, sheet: str) -> str:
        for m in re.finditer(r"<sheet\b([^>]*?)/?>", self.workbook):
            found = attrs(m[1])
            if found.get("name") == sheet:
                rid = next((v for k, v in found.items() if k.endswith(":id")), "")
                found = self._rels("xl/workbook.xml").get(rid)
                if found is None:
                    raise Unpatchable(f"sheet {sheet} has no part")
                return found[1]
        raise Unpatchable(f"no sheet {sheet}")

    def _index(self) -> None:
        """Where each row is in the sheet data; rows are parsed only when touched."""
        last = 0
        for m in _ROW.finditer(self.body):
            if m.start() < last:
                raise Unpatchable("a row inside a row")
            number = attrs(m[1]).get("r", "")
            if not number.isdigit() or (self.order and int(number) <= self.order[-1]):
                raise Unpatchable("a row without its number, or out of order")
            end = m.end() if m[2] else self.body.find("</row>", m.end()) + len("</row>")
            if end < m.end():
                raise Unpatchable("an unclosed row")
            self.order.append(int(number))
            self.spans[int(number)] = (m.start(), end)
            last = end

    def _row(self, number: int, *, create: bool = False) -> list | None:
        """[opening tag, [[column, cell XML], ...]] of row *number*, parsed on first use."""
        if number in self.parsed:
            return self.parsed[number]
        if number not in self.spans:
            if not create:
                return None
            self.parsed[number] = [f'<row r="{number}">', []]
            return self.parsed[number]
        start, end = self.spans[number]
        text = self.body[start:end]
        m = _ROW.match(text)
        opening = m[0][:-2] + ">" if m[2] else m[0]
        inner = len(text) - (0 if m[2] else len("</row>"))
        if text[m.end() : inner].strip() and not text.startswith("<c", m.end()):
            raise Unpatchable("unexpected content in a row")
        # a cell runs to the next one: "<c" never occurs inside one ("<" is escaped in text)
        opens = [(c.start(), c[1]) for c in _CELL_OPEN.finditer(text, m.end(), inner)]
        cells = []
        for k, (start, column) in enumerate(opens):
            chunk = text[start : opens[k + 1][0] if k + 1 < len(opens) else inner].rstrip()
            if not column or not chunk.endswith(("/>", "</c>")):
                raise Unpatchable("a cell without its reference, or unexpected content")
            cells.append([column_index(column), chunk])
        self.parsed[number] = [opening, cells]
        return self.parsed[number]

    def _find(self, ref: str) -> tuple[list | None, list | None]:
        row_n, col = _split(ref)
        row = self._row(row_n)
        if row is None:
            return None, None
        return row, next((c for c in row[1] if c[0] == col), None)

    def _body(self) -> str:
        """The sheet data with the touched rows written out again."""
        out, pos = [], 0
        added = sorted(n for n in self.parsed if n not in self.spans)
        for n in self.order:
            start, end = self.spans[n]
            out.append(self.body[pos:start])
            while added and added[0] < n:
                out.append(_render(self.parsed[added.pop(0)]))
            out.append(_render(self.parsed[n]) if n in self.parsed else self.body[start:end])
            pos = end
        out.append(self.body[pos:])
        out.extend(_render(self.parsed[n]) for n in added)
        return "".join(out)

    def value(self, ref: str) -> object:
        """What the cell at *ref* holds: text (shared or inline), a number text, or None."""
        _row, cell = self._find(ref)
        if cell is None:
            return None
        m = _CELL.match(cell[1])
        kind = attrs(m[1]).get("t", "n")
        body = m[2] or ""
        formula = re.search(r"<f\b[^>]*>(.*?)</f>", body, re.S)
        if formula is not None:
            return "=" + unescape(formula[1])
        if kind == "inlineStr":
            return _text(body)
        v = re.search(r"<v>(.*?)</v>", body, re.S)
        if v is None:
            return None
        if kind == "s":
            return self._shared(int(v[1]))
        return unescape(v[1])

    def _shared(self, index: int) -> str:
        rels = self._rels("xl/workbook.xml").values()
        path = next((p for t, p in rels if t.endswith("/sharedStrings")), None)
        if path is None:
            raise Unpatchable("a shared string without the shared strings part")
        items = re.findall(r"<si>(.*?)</si>|<si/>", self._part(path), re.S)
        if index >= len(items):
            raise Unpatchable("a shared string out of range")
        return _text(items[index])

    def note_authors(self) -> dict[str, str]:
        """Cell reference -> author of the note on it, for the sheet's notes."""
        path = next((p for t, p in self._rels(self.path).values() if t == _COMMENTS), None)
        if path is None:
            return {}
        root = ElementTree.fromstring(self.zip.read(path))
        authors = [a.text or "" for a in root.iter(f"{{{MAIN}}}author")]
        out = {}
        for c in root.iter(f"{{{MAIN}}}comment"):
            i = int(c.get("authorId", "0"))
            out[c.get("ref", "")] = authors[i] if i < len(authors) else ""
        return out

    def set_number(self, ref: str, value: float, number_format: str | None = None) -> None:
        """Write *value* at *ref* as a number, its style kept (with *number_format* when given)."""
        row_n, col = _split(ref)
        row, cell = self._find(ref)
        style = "0"
        if cell is not None:
            m = _CELL.match(cell[1])
            if "<f" in (m[2] or ""):
                raise Unpatchable(f"{ref} holds a formula")
            style = attrs(m[1]).get("s", "0")
        if number_format is not None:
            style = self._style_with(style, number_format)
        text = f'<c r="{ref}" s="{style}"><v>{_number(value)}</v></c>'
        row = row or self._row(row_n, create=True)
        if cell is not None:
            cell[1] = text
        else:
            row[0] = re.sub(r'\sspans="[^"]*"', "", row[0])  # a hint that no longer holds
            row[1].append([col, text])
            row[1].sort(key=lambda c: c[0])
            self._extend_dimension(row_n, col)

    def serial(self, when: datetime) -> float:
        """*when* as an Excel serial number, as openpyxl computes it."""
        days = (when - self.epoch).days
        if 0 < days <= 60 and self.epoch is _WINDOWS_EPOCH:
            days -= 1
        seconds = when.hour * 3600 + when.minute * 60 + when.second + when.microsecond / 10**6
        return days + seconds / 86400

    def _extend_dimension(self, row_n: int, col: int) -> None:
        m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>', self.head)
        if m is None:
            return
        c1, r1 = column_index(m[1]), int(m[2])
        c2, r2 = (column_index(m[3]), int(m[4])) if m[3] else (c1, r1)
        new = (min(c1, col), min(r1, row_n), max(c2, col), max(r2, row_n))
        ref = f"{column_name(new[0])}{new[1]}:{column_name(new[2])}{new[3]}"
        self.head = self.head[: m.start()] + f'<dimension ref="{ref}"/>' + self.head[m.end() :]

    def _styles_path(self) -> str:
        rels = self._rels("xl/workbook.xml").values()
        path = next((p for t, p in rels if t.endswith("/styles")), None)
        if path is None:
            raise Unpatchable("no styles part")
        return path

    def _style_with(self, style: str, number_format: str) -> str:
        """The index of a cell style like *style* but with *number_format*."""
        key = (style, number_format)
        if key in self.new_styles:
            return self.new_styles[key]
        if self.styles is None:
            self.styles = self._part(self._styles_path())
        # first: the number format may add to the styles text
        self.styles, fmt_id = format_id(self.styles, number_format)
        xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", self.styles, re.S)
        if xfs is None:
            raise Unpatchable("no cell styles")
        items = re.findall(r"<xf\b[^>]*?/>|<xf\b[^>]*>.*?</xf>", xfs[1], re.S)
        index = int(style)
        if index >= len(items):
            raise Unpatchable(f"cell style {style} out of range")
        xf = items[index]
        opening = re.match(r"<xf\b([^>]*?)/?>", xf)
        xf_attrs = attrs(opening[1])
        if xf_attrs.get("numFmtId", "0") == fmt_id:
            self.new_styles[key] = style
            return style
        xf_attrs["numFmtId"] = fmt_id
        xf_attrs["applyNumberFormat"] = "1"
        tag = "<xf " + " ".join(f'{k}="{quoted(v)}"' for k, v in xf_attrs.items())
        new = tag + xf[opening.end() - (2 if xf[: opening.end()].endswith("/>") else 1) :]
        inner = xfs[1] + new
        opening_tag = re.sub(
            r'count="\d+"', f'count="{len(items) + 1}"', self.styles[xfs.start() : xfs.start(1)]
        )
        self.styles = self.styles[: xfs.start()] + opening_tag + inner + self.styles[xfs.end(1) :]
        self.new_styles[key] = str(len(items))
        return self.new_styles[key]

    def save(self) -> bytes:
        """The whole .xlsx with the edits, every other part as it was."""
        changed = {
            self.path: self.head + self._body() + self.tail,
            "xl/workbook.xml": full_calc(self.workbook),
        }
        if self.styles is not None:
            changed[self._styles_path()] = self.styles
        try:
            return replace_members(self.data, {k: v.encode("utf-8") for k, v in changed.items()})
        except ValueError as exc:
            raise Unpatchable(str(exc)) from None


def _render(row: list) -> str:
    return row[0] + "".join(c[1] for c in row[1]) + "</row>"
