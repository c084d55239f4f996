"""Write a file so readers see the old one or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sync.errors import InputError, LockedError, OutputError, os_reason


def write_atomic(path: str | Path, write: Callable[[str], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside *path*, then rename it over *path*.

    The new file keeps the old one's permissions (else the umask's usual
    ones). On any failure the temporary file is removed and *path* is left
    as it was.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=folder)
    except FileNotFoundError:  # a folder that does not exist is a wrong path: bad usage
        raise InputError(
            f"cannot write {path}: the folder {folder} does not exist; create it or fix the path"
        ) from None
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {os_reason(exc)}; make the folder writable or free space"
        ) from None
    os.close(fd)
    try:
        try:
            write(tmp)
        except OSError as exc:  # a full disk or a folder gone read-only while writing
            raise OutputError(
                f"cannot write {path}: {os_reason(exc)}; free space or make the folder writable"
            ) from None
        # mkstemp makes the file private (0600).
        if path.exists():
            mode = path.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        try:
            os.replace(tmp, path)
        except PermissionError:
            raise LockedError(
                f"cannot replace {path}: it is open in another program; close it and retry"
            ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
