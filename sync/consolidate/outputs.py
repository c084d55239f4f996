"""The company workbook on disk: written to a temporary file, renamed into place, dated copies.

The new workbook is written beside the old one as ``.company.xlsx.<pid>.tmp``
(xlsxwriter's own part files go in the folder ``.company.xlsx.<pid>.parts.tmp``
beside it, not in the system's temp folder, so a killed run leaves nothing
that the next run does not clean) and renamed over it with ``os.replace``,
which is atomic: a reader (or a killed run) sees the old workbook or the new
one, never half of one. Before the rename the old workbook is hard-linked (or
copied) into ``company-copies/company-YYYY-MM-DD.xlsx``, dated by the run it
was written for (a custom property inside it, so the date survives a move of
the workspace); only the newest ``keep`` copies stay.

A folder that cannot be written or a full disk is ``OutputError`` (exit 3),
and the previous workbook stays as it was.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import sys
import traceback
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from sync.errors import OutputError, os_reason

if TYPE_CHECKING:
    from sync.company.report import Report

#: The custom document property holding the run date (written by ``sync.company.book``).
AS_OF_PROPERTY = "okr_as_of"

_DATED = re.compile(r"-(\d{4}-\d{2}-\d{2})$")


def copies_dir(output: Path) -> Path:
    """The folder of dated copies: ``company-copies`` beside ``company.xlsx``."""
    return output.with_name(f"{output.stem}-copies")


def company_files(output: Path) -> tuple[Path, ...]:
    """The company workbook and its dated copies: never read as department workbooks."""
    folder = copies_dir(output)
    return (output, *(folder.glob("*") if folder.is_dir() else ()))


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


def _cannot(what: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"cannot write {what}: {os_reason(exc)}; free space or make the folder writable "
        "(the previous workbook is untouched)"
    )


def write_temp(output: Path, report: Report, lang: str = "en") -> Path:
    """Write the workbook for *report* (in *lang*) to a temporary file beside *output*."""
    from sync.company.book import write_company_workbook  # xlsxwriter: only when writing

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(output.parent, exc) from None
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    parts = output.with_name(f".{output.name}.{os.getpid()}.parts.tmp")
    try:
        parts.mkdir(exist_ok=True)
        write_company_workbook(report, tmp, parts=parts, lang=lang)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except Exception as exc:
        cause = _os_error(exc)
        tmp.unlink(missing_ok=True)
        if cause is None:
            raise
        _forget(exc)
        raise _cannot(output, cause) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    return tmp


def _os_error(exc: BaseException) -> OSError | None:
    """The OS error behind *exc* (xlsxwriter wraps it in ``FileCreateError``), or None."""
    if isinstance(exc, OSError):
        return exc
    inner = exc.args[0] if exc.args else None
    return inner if type(exc).__name__ == "FileCreateError" and isinstance(inner, OSError) else None


def _forget(exc: BaseException) -> None:
    """Drop the frames of a failed write now, quietly.

    The half-written zip file lives in those frames; closed later by the
    garbage collector it would fail again (the disk is still full) and print
    "Exception ignored" lines after our one-line message.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        seen: BaseException | None = exc
        while seen is not None:
            traceback.clear_frames(seen.__traceback__)
            seen.__traceback__ = None
            seen = seen.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook


def stamp(path: Path) -> str:
    """``inode:size:mtime_ns`` of *path*: a rename keeps it, a new file does not ('' if none)."""
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def workbook_date(path: Path) -> date | None:
    """The run date a company workbook was written for (its custom property), or None."""
    try:
        with zipfile.ZipFile(path) as book:
            xml = book.read("docProps/custom.xml")
        root = ElementTree.fromstring(xml)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    for prop in root:
        if prop.get("name") == AS_OF_PROPERTY:
            try:
                return date.fromisoformat("".join(prop.itertext()).strip())
            except ValueError:
                return None
    return None


def output_date(output: Path) -> date | None:
    """The date the current workbook at *output* stands for: its run's date, else its mtime."""
    if not output.exists():
        return None
    return workbook_date(output) or datetime.fromtimestamp(output.stat().st_mtime).date()


def keep_copy(output: Path, when: date | None, keep: int) -> Path | None:
    """Keep the current workbook as a dated copy before it is replaced; its path, or None."""
    if keep <= 0 or when is None or not output.exists():
        return None
    folder = copies_dir(output)
    copy = folder / f"{output.stem}-{when:%Y-%m-%d}{output.suffix}"
    staging = folder / f".{copy.name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging.unlink(missing_ok=True)
        try:
            os.link(output, staging)  # the old inode survives the rename below
        except OSError:
            shutil.copy2(output, staging)
        os.replace(staging, copy)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise _cannot(copy, exc) from None
    return copy


def replace(tmp: Path, output: Path) -> None:
    """Atomically move *tmp* over *output* and make the rename durable."""
    try:
        os.replace(tmp, output)
    except OSError as exc:
        raise _cannot(output, exc) from None
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
