"""The company workbook on disk: written to a temporary file, renamed into place, dated copies.

The new workbook is written beside the old one as ``.company.xlsx.<pid>.tmp``
(xlsxwriter's own part files go in the folder ``.company.xlsx.<pid>.parts.tmp``
beside it, not in the system's temp folder, so a killed run leaves nothing
that the next run does not clean) and renamed over it with ``os.replace``,
which is atomic: a reader (or a killed run) sees the old workbook or the new
one, never half of one. Before
the rename the old workbook is hard-linked (or copied) into
``company-copies/company-YYYY-MM-DD.xlsx``; only the newest ``keep`` copies
stay.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date, datetime
from pathlib import Path

from sync.company.book import write_company_workbook
from sync.company.report import Report
from sync.errors import InputError

_DATED = re.compile(r"-(\d{4}-\d{2}-\d{2})$")


def copies_dir(output: Path) -> Path:
    """The folder of dated copies: ``company-copies`` beside ``company.xlsx``."""
    return output.with_name(f"{output.stem}-copies")


def _temp_glob(output: Path) -> str:
    return f".{output.name}.*.tmp"


def clean_temp(output: Path) -> None:
    """Remove temporary files left by killed runs (call under the run lock)."""
    if output.parent.is_dir():
        for leftover in output.parent.glob(_temp_glob(output)):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)


def write_temp(output: Path, report: Report) -> Path:
    """Write the workbook for *report* to a temporary file beside *output*; return its path."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the output folder {output.parent}: {exc.strerror}"
        ) from None
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    parts = output.with_name(f".{output.name}.{os.getpid()}.parts.tmp")
    try:
        parts.mkdir(exist_ok=True)
        write_company_workbook(report, tmp, parts=parts)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    return tmp


def output_date(recorded: date | None, output: Path) -> date | None:
    """The date the current workbook at *output* stands for: its run's date, else its mtime."""
    if not output.exists():
        return None
    if recorded is not None:
        return recorded
    return datetime.fromtimestamp(output.stat().st_mtime).date()


def keep_copy(output: Path, when: date | None, keep: int) -> Path | None:
    """Keep the current workbook as a dated copy before it is replaced; its path, or None."""
    if keep <= 0 or when is None or not output.exists():
        return None
    folder = copies_dir(output)
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{output.stem}-{when:%Y-%m-%d}{output.suffix}"
    staging = folder / f".{copy.name}.{os.getpid()}.tmp"
    staging.unlink(missing_ok=True)
    try:
        os.link(output, staging)  # the old inode survives the rename below
    except OSError:
        shutil.copy2(output, staging)
    os.replace(staging, copy)
    return copy


def replace(tmp: Path, output: Path) -> None:
    """Atomically move *tmp* over *output* and make the rename durable."""
    os.replace(tmp, output)
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(output.parent, os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def prune(output: Path, keep: int) -> list[Path]:
    """Delete all but the newest *keep* dated copies (and leftover staging files)."""
    folder = copies_dir(output)
    if not folder.is_dir():
        return []
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    dated = sorted(
        (m.group(1), p)
        for p in folder.glob(f"{output.stem}-*{output.suffix}")
        if (m := _DATED.search(p.stem))
    )
    removed = [p for _, p in dated[: max(0, len(dated) - max(keep, 0))]]
    for p in removed:
        p.unlink(missing_ok=True)
    return removed
