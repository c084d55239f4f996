"""Real broken file systems for the tests: a small tmpfs, a read-only bind mount.

Root ignores file permissions, so "read-only" must come from the mount. Each
function skips the test with a reason where mounting is not permitted.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip() or 'mount failed'})")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@contextmanager
def small_disk(path: Path, size: str = "256k") -> Iterator[Path]:
    """A tmpfs of *size* mounted on the (new, empty) folder *path*, unmounted after."""
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


def fill(folder: Path) -> None:
    """Fill the file system of *folder* to the last byte."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """*path* (a file or a folder) made read-only by a read-only bind mount over itself."""
    _mount("--bind", str(path), str(path))
    try:
        done = subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(path)], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only ({done.stderr.strip()})")
        yield path
    finally:
        _umount(path)
