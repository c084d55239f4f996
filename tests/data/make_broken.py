"""Regenerate the broken workbooks in tests/data/broken/ (run from the repository root).

Each file is a real way a department's upload goes wrong; tests run
``okr check`` over every one of them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook

from okr.schema import header_texts

HERE = Path(__file__).parent / "broken"


def _valid_xlsx(headers: list[str], sheet: str = "OKRs") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    ws.append(["SALES-O1", "Objective", "CO-O1", "Grow", "a@x.org", "Sales", "2026-Q4"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    """Write every broken file."""
    HERE.mkdir(exist_ok=True)
    good = _valid_xlsx(header_texts("en"))
    (HERE / "not_a_workbook.xlsx").write_text("ID,Type,Parent\nSALES-O1,Objective,\n")
    (HERE / "truncated.xlsx").write_bytes(good[: len(good) // 2])
    (HERE / "no_okrs_sheet.xlsx").write_bytes(_valid_xlsx(header_texts("en"), sheet="Plan"))
    (HERE / "missing_headers.xlsx").write_bytes(_valid_xlsx(["ID", "Type", "Title", "Owner"]))
    enc = io.BytesIO()
    OOXMLFile(io.BytesIO(good)).encrypt("secret", enc)
    (HERE / "encrypted.xlsx").write_bytes(enc.getvalue())
    # 300 MB of zeros compresses to a few hundred KB: a zip bomb in miniature.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(block)
    (HERE / "zip_bomb.xlsx").write_bytes(bomb.getvalue())


if __name__ == "__main__":
    main()
