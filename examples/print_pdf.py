"""Print the company workbook to PDF with LibreOffice and count the pages of each sheet.

``python -m examples.print_pdf [company.xlsx] [--sheet Dashboard --sheet Company]``
writes ``company.pdf`` beside the workbook (all sheets, as printed) and, for
each sheet asked for, prints how many pages it takes on its own. ``make pdf``
runs it on the demo's company workbook.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook

DEFAULT_WORKBOOK = Path("demo") / "org" / "consolidated" / "company.xlsx"
TIMEOUT = 180
_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def convert(
    src: Path,
    out_dir: Path,
    target: str,
    *,
    soffice: str | None = None,
    profile_settings: str | None = None,
) -> Path:
    """Convert *src* with headless LibreOffice to *target* (``pdf``, ``xlsx:…``) in *out_dir*.

    A fresh, throw-away profile per call, so parallel runs never clash over its
    lock; *profile_settings* is written as its ``registrymodifications.xcu``.
    Returns the written file; raises ``RuntimeError`` with LibreOffice's output
    when the conversion fails.
    """
    exe = soffice or shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError(
            "LibreOffice (soffice) is not installed; apt-get install libreoffice-calc"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="okr-lo-profile-") as profile:
        if profile_settings is not None:
            user = Path(profile) / "user"
            user.mkdir()
            (user / "registrymodifications.xcu").write_text(profile_settings, encoding="utf-8")
        command = [
            exe,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            str(src),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    out = out_dir / f"{src.stem}.{target.split(':', 1)[0]}"
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(
            f"LibreOffice could not convert {src.name} (exit {done.returncode}): "
            f"{(done.stderr or done.stdout).strip()}"
        )
    return out


def to_pdf(xlsx: Path, out_dir: Path, soffice: str | None = None) -> Path:
    """Convert *xlsx* to PDF in *out_dir* with headless LibreOffice; the PDF's path."""
    return convert(xlsx, out_dir, "pdf", soffice=soffice)


def page_count(pdf: Path) -> int:
    """The number of pages of *pdf*."""
    return len(_PAGE.findall(pdf.read_bytes()))


def sheet_pages(xlsx: Path, sheet: str, soffice: str | None = None) -> int:
    """How many pages *sheet* of *xlsx* prints on, with its own page setup."""
    with tempfile.TemporaryDirectory(prefix="okr-pdf-") as tmp:
        book = load_workbook(xlsx)
        for other in [s for s in book.sheetnames if s != sheet]:
            del book[other]
        single = Path(tmp) / f"{re.sub(r'[^A-Za-z0-9]+', '_', sheet)}.xlsx"
        book.save(single)
        return page_count(to_pdf(single, Path(tmp) / "pdf", soffice))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the workbook and the page count of each sheet asked for."""
    parser = argparse.ArgumentParser(prog="python -m examples.print_pdf", description=__doc__)
    parser.add_argument("workbook", nargs="?", type=Path, default=DEFAULT_WORKBOOK)
    parser.add_argument("--sheet", action="append", default=None, help="sheet to count")
    args = parser.parse_args(argv)
    if not args.workbook.exists():
        print(f"{args.workbook}: no such workbook; run make demo first", file=sys.stderr)
        return 2
    pdf = to_pdf(args.workbook, args.workbook.parent)
    print(f"{pdf}: {page_count(pdf)} page(s)")
    for sheet in args.sheet or ["Dashboard", "Company"]:
        print(f"  {sheet}: {sheet_pages(args.workbook, sheet)} page(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
