"""Build the hostile and foreign workbooks of tests/data/hostile/ into a folder.

Each entry of ``CASES`` is one class of file other programs, broken uploads
or attackers produce, with the outcome ``okr check`` documents for it:

- ``unreadable``: alone, one line on stderr naming the file and exit 2;
  beside good workbooks, an ``unreadable`` problem while the others are checked;
- ``checked``: read, with the problem codes listed (and no others of note).

Run ``python -m tests.data.hostile.make_hostile OUT`` to write them; the
tests build them into a temporary folder (some are large or are not files).
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from okr.schema import KEYS, header_texts

HEADER = header_texts("en")
COL = {k: i for i, k in enumerate(KEYS)}


def letters(col: int) -> str:
    """Column letters of the 0-based *col* (0 -> A, 16383 -> XFD)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Error):
        return f'<c r="{ref}" t="e"><v>{value.code}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'


def _text(value: object) -> str:
    # XML 1.0 cannot carry control characters: Excel writes them as _xHHHH_.
    out = []
    for ch in escape(str(value)):
        code = ord(ch)
        legal = code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
        out.append(ch if legal or code > 0xFFFF else f"_x{code:04X}_")
    return "".join(out)


@dataclass(frozen=True)
class Error:
    """A spreadsheet error value such as ``#N/A``."""

    code: str


def sheet_xml(rows: Iterable[tuple[int, Iterable[tuple[int, object]]]]) -> Iterator[bytes]:
    """A worksheet part from (row number, [(column, value)]) pairs, 1-based rows."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    for r, cells in rows:
        body = "".join(_cell(f"{letters(c)}{r}", v) for c, v in cells)
        yield f'<row r="{r}">{body}</row>'.encode()
    yield b"</sheetData></worksheet>"


def okr_rows(rows: list[dict[str, object]]) -> Iterator[tuple[int, list[tuple[int, object]]]]:
    """The template header, then one row per dict (keys from okr.schema)."""
    yield 1, list(enumerate(HEADER))
    for n, row in enumerate(rows, start=2):
        yield n, [(COL[k], v) for k, v in row.items()]


def write_xlsx(
    path: Path,
    parts: Iterable[bytes],
    *,
    sheet: str = "OKRs",
    extra: dict[str, bytes] | None = None,
    macro: bool = False,
) -> None:
    """A minimal .xlsx with one worksheet streamed from *parts* (and *extra* members)."""
    main = (
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        if macro
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    )
    ns = "http://schemas.openxmlformats.org"
    types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
        f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
        f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", book_rels)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            buf = io.BufferedWriter(member, 1 << 20)
            for part in parts:
                buf.write(part)
            buf.flush()
        for name, data in (extra or {}).items():
            zf.writestr(name, data)


def obj(id: str, parent: str = "CO-O1", **kw: object) -> dict[str, object]:
    """An objective row of the Sales department."""
    row: dict[str, object] = {"id": id, "type": "Objective", "parent": parent}
    row.update(title=f"Objective {id}", owner="ana@example.org", department="Sales")
    row.update(period="2026-Q4")
    row.update(kw)
    return row


def kr(id: str, parent: str, **kw: object) -> dict[str, object]:
    """A key result row (increase 0 -> 100, current 50)."""
    row: dict[str, object] = {"id": id, "type": "Key Result", "parent": parent}
    row.update(title=f"Key result {id}", owner="ana@example.org", department="Sales")
    row.update(period="2026-Q4", direction="increase", baseline=0, target=100, current=50)
    row.update(kw)
    return row


def _table(path: Path, rows: list[dict[str, object]], **kw) -> None:
    write_xlsx(path, sheet_xml(okr_rows(rows)), **kw)


# --- the classes -------------------------------------------------------------


def sparse_last_cell(path: Path) -> None:
    """One good table, and one stray value in the sheet's very last cell."""

    def rows():
        yield from okr_rows([obj("HX-O1"), kr("HX-KR1", "HX-O1")])
        yield 1048576, [(16383, "stray")]

    write_xlsx(path, sheet_xml(rows()))


def wide_row(path: Path) -> None:
    """A value in column XFD of a header-level row: a grid 16,384 columns wide."""

    def rows():
        yield from okr_rows([obj("HX-O1"), kr("HX-KR1", "HX-O1")])
        yield 200, [(16383, "far right")]

    write_xlsx(path, sheet_xml(rows()))


def rows_past_limit(path: Path, count: int = 20_500) -> None:
    """More rows than the row limit allows (a data dump pasted into OKRs)."""
    data = [kr(f"HX-KR{n}", "HX-O1") for n in range(count)]
    _table(path, [obj("HX-O1"), *data])


def million_rows(path: Path) -> None:
    """About a million rows: huge, but under the zip's expansion limit."""

    def rows():
        yield 1, list(enumerate(HEADER))
        for r in range(2, 1_000_001):
            yield r, [(0, f"K{r}")]

    write_xlsx(path, sheet_xml(rows()))


def fifo(path: Path) -> None:
    """A named pipe: opening it for reading blocks until a writer comes."""
    os.mkfifo(path)


def symlink_loop(path: Path) -> None:
    """A symbolic link pointing at itself."""
    path.symlink_to(path.name)


def device(path: Path) -> None:
    """A link to /dev/zero: endless bytes."""
    path.symlink_to("/dev/zero")


def folder(path: Path) -> None:
    """A folder whose name ends in .xlsx."""
    path.mkdir()
    (path / "inside.txt").write_text("not a workbook\n")


def empty(path: Path) -> None:
    """A zero-byte file (a failed download)."""
    path.write_bytes(b"")


def european_numbers(path: Path) -> None:
    """Numbers typed as text in a European locale: 12,5 and 1.234,5."""
    _table(
        path,
        [obj("HX-O1"), kr("HX-KR1", "HX-O1", target="12,5", weight="1,5", current="7,5")],
    )


def error_values(path: Path) -> None:
    """Spreadsheet errors in Baseline, Target, Current and Weight."""
    krs = [
        kr("HX-KR1", "HX-O1", current=Error("#N/A")),
        kr("HX-KR2", "HX-O1", baseline=Error("#DIV/0!")),
        kr("HX-KR3", "HX-O1", weight=Error("#VALUE!")),
        kr("HX-KR4", "HX-O1", target=Error("#REF!")),
    ]
    _table(path, [obj("HX-O1"), *krs])


def control_characters(path: Path) -> None:
    """An ESC sequence in an ID, a newline and a bell in titles (terminal injection)."""
    _table(
        path,
        [
            obj("HX-O1", title="Line one\nline two \x07"),
            kr("HX-\x1b[2JKR1", "HX-O1", title="clear \x1b[2J\x1b[H screen"),
            kr("HX-KR2", "HX-O1", title="null \x00 and \x1f", notes="\x1b]0;title\x07"),
            obj("HX-O9", department="Con\x1btrol\x07 \u202eDept", owner="\x1b[31mred"),
            kr("HX-KR9", "HX-O9", department="Con\x1btrol\x07 \u202eDept", unit="\x0b%"),
        ],
    )


def case_ids(path: Path) -> None:
    """Two IDs that differ only by case."""
    _table(path, [obj("HX-O1"), kr("HX-KR1", "HX-O1"), kr("hx-kr1", "hx-o1")])


def no_id_row(path: Path) -> None:
    """A row with content but no ID, beside a good objective."""
    _table(path, [obj("HX-O1"), kr("HX-KR1", "HX-O1"), kr("", "HX-O1")])


def bad_sheet_names(path: Path) -> None:
    """Department names no sheet may carry: too long, brackets, an apostrophe at the end."""
    long = "Research, Development & Very Long Named Innovation Lab"
    _table(
        path,
        [
            obj("HX-O1", department=long),
            kr("HX-KR1", "HX-O1", department=long),
            obj("HX-O2", department="Ops [EU]: a/b\\c*d?'"),
            kr("HX-KR2", "HX-O2", department="Ops [EU]: a/b\\c*d?'"),
            obj("HX-O3", department="'History"),
            kr("HX-KR3", "HX-O3", department="'History"),
        ],
    )


def deep_chain(path: Path, depth: int = 5000) -> None:
    """A 5,000-level chain of objectives, each serving the one before."""
    rows = [obj("HX-O0")]
    rows += [obj(f"HX-O{n}", f"HX-O{n - 1}") for n in range(1, depth)]
    rows += [kr("HX-KR1", f"HX-O{depth - 1}")]
    _table(path, rows)


def wide_cycle(path: Path, size: int = 10_000) -> None:
    """A 10,000-node loop of parents."""
    rows = [obj(f"HY-O{n}", f"HY-O{(n + 1) % size}") for n in range(size)]
    _table(path, rows)


def formulas_as_text(path: Path) -> None:
    """Titles and notes that look like formulas or links (formula injection)."""
    _table(
        path,
        [
            obj("HX-O1", title='=HYPERLINK("http://evil.example","click")'),
            kr("HX-KR1", "HX-O1", title="+cmd|' /C calc'!A0", notes="@SUM(1+1)*cmd|' /C calc'!A0"),
            kr("HX-KR2", "HX-O1", title="https://evil.example/x", notes="-2+3"),
        ],
    )


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)


def billion_laughs(path: Path) -> None:
    """Nested XML entities in the sheet that expand to gigabytes when expanded."""

    def parts():
        yield _LAUGHS
        yield (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
            b"</sheetData></worksheet>"
        )

    write_xlsx(path, parts())


def external_entity(path: Path) -> None:
    """An XML external entity naming /etc/passwd in the sheet (XXE)."""

    def parts():
        yield b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        yield b"<sheetData>"
        for r, cells in okr_rows([obj("HX-O1", title="&xxe;")]):
            body = "".join(_cell(f"{letters(c)}{r}", v) for c, v in cells)
            yield f'<row r="{r}">{body}</row>'.encode().replace(b"&amp;xxe;", b"&xxe;")
        yield b"</sheetData></worksheet>"

    write_xlsx(path, parts())


def ods_renamed(path: Path) -> None:
    """An OpenDocument spreadsheet saved with an .xlsx name."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")


def macro_workbook(path: Path) -> None:
    """A macro workbook (vbaProject.bin) saved under an .xlsx name."""
    _table(
        path,
        [obj("HX-O1"), kr("HX-KR1", "HX-O1")],
        extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1fake vba"},
        macro=True,
    )


def prefixed_namespace(path: Path) -> None:
    """Sheet XML with a namespace prefix (x:row, x:c), as some generators write it."""
    xml = b"".join(sheet_xml(okr_rows([obj("HX-O1"), kr("HX-KR1", "HX-O1")])))
    xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(
        b"</worksheet", b"</x:worksheet"
    )
    for tag in (b"sheetData", b"row", b"c", b"is", b"t", b"v"):
        xml = xml.replace(b"<" + tag + b">", b"<x:" + tag + b">")
        xml = xml.replace(b"<" + tag + b" ", b"<x:" + tag + b" ")
        xml = xml.replace(b"</" + tag + b">", b"</x:" + tag + b">")
    write_xlsx(path, [xml])


@dataclass(frozen=True)
class Case:
    """One hostile file, how to build it, and what ``okr check`` must say about it."""

    name: str
    build: Callable[[Path], None]
    #: ``unreadable`` or ``checked``
    outcome: str
    #: text the one line (unreadable) or a problem message must contain
    says: str = ""
    #: problem codes a checked file must raise
    codes: frozenset[str] = field(default_factory=frozenset)
    #: too large or too slow for every run's consolidation
    big: bool = False


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


CASES: tuple[Case, ...] = (
    Case("sparse_last_cell.xlsx", sparse_last_cell, "unreadable", "XFD1048576"),
    Case("wide_row.xlsx", wide_row, "unreadable", "XFD200"),
    Case("rows_past_limit.xlsx", rows_past_limit, "unreadable", "below row 20000"),
    Case("million_rows.xlsx", million_rows, "unreadable", "max_rows", big=True),
    Case("fifo.xlsx", fifo, "unreadable", "not a regular file"),
    Case("symlink_loop.xlsx", symlink_loop, "unreadable", "cannot be read"),
    Case("device.xlsx", device, "unreadable", "not a regular file"),
    Case("folder.xlsx", folder, "unreadable", "is a folder"),
    Case("empty.xlsx", empty, "unreadable", "empty"),
    Case("ods_renamed.xlsx", ods_renamed, "unreadable", "OpenDocument"),
    Case("billion_laughs.xlsx", billion_laughs, "unreadable", "DOCTYPE"),
    Case("external_entity.xlsx", external_entity, "unreadable", "DOCTYPE"),
    Case("european_numbers.xlsx", european_numbers, "checked", "12,5", _codes("target", "weight")),
    Case("error_values.xlsx", error_values, "checked", "#DIV/0!", _codes("target", "weight")),
    Case("control_characters.xlsx", control_characters, "checked", "\x1b[2J", _codes("bad-id")),
    Case("case_ids.xlsx", case_ids, "checked", "hx-kr1", _codes("duplicate-id")),
    Case("no_id_row.xlsx", no_id_row, "checked", "no ID", _codes("bad-id")),
    Case("bad_sheet_names.xlsx", bad_sheet_names, "checked", "", _codes()),
    Case("deep_chain.xlsx", deep_chain, "checked", "", _codes()),
    Case("wide_cycle.xlsx", wide_cycle, "checked", "loop", _codes("cycle")),
    Case("formulas_as_text.xlsx", formulas_as_text, "checked", "", _codes()),
    Case("macro_workbook.xlsx", macro_workbook, "checked", "", _codes()),
    Case("prefixed_namespace.xlsx", prefixed_namespace, "checked", "", _codes()),
)


def build(folder: Path, *, big: bool = True) -> dict[str, Path]:
    """Write every case into *folder* (skipping the big ones unless *big*); name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in CASES:
        if case.big and not big:
            continue
        path = folder / case.name
        case.build(path)
        out[case.name] = path
    return out


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-out"))
