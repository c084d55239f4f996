"""Department workbooks in a folder of .xlsx files (or a glob, or one file).

``FolderSource.files`` is the one place that decides which files are
department workbooks; ``workbook_files`` (paths given on the command line)
and ``workspace_files`` (the folder sources of okr.toml) go through it, for
``okr check``, ``okr metrics refresh`` and the consolidation alike.
"""

from __future__ import annotations

import glob as globlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sync import config
from sync.arena import one_arena
from sync.errors import ConfigError, InputError
from sync.sources.base import Source, SourceRead, parse
from sync.xlsx.reading import MAX_ROWS, open_regular

_MAGIC = set("*?[")


#: Threads parsing workbooks at once; each holds one workbook's cells.
PARSE_THREADS = min(8, os.cpu_count() or 1)


class FolderSource:
    """The .xlsx files in a folder (matching *glob*), a glob path, or one file.

    Names are paths relative to the folder, so ``sales.xlsx`` or
    ``emea/sales.xlsx`` with a recursive glob. Excel's ``~$`` lock files,
    hidden files and the paths in *skip* (the company workbook and its copies)
    are left out. Anything else that matches (a pipe, a link that leads
    nowhere, a folder named ``x.xlsx``) is listed and read as unreadable, so
    it is reported instead of silently skipped.
    """

    def __init__(
        self,
        path: str | Path,
        glob: str = "*.xlsx",
        *,
        skip: Iterable[Path] = (),
        max_rows: int = MAX_ROWS,
        decimal: str | None = None,
    ) -> None:
        """Read *path*: a folder (with *glob*), a glob like ``depts/*/okr.xlsx``, or a file."""
        text = str(path)
        self.name = text
        self.max_rows, self.decimal = max_rows, decimal
        self._skip = {Path(p).resolve() for p in skip}
        if any(ch in _MAGIC for ch in text):
            parts = Path(text).parts
            cut = next(i for i, p in enumerate(parts) if any(ch in _MAGIC for ch in p))
            self.root = Path(*parts[:cut]) if cut else Path(".")
            self.pattern = str(Path(*parts[cut:]))
        else:
            self.root = Path(text)
            self.pattern = glob

    def files(self) -> list[Path]:
        """The workbook files, sorted; ``InputError`` when the folder is missing."""
        if (
            self.root.exists()
            and not self.root.is_dir()
            and not any(ch in _MAGIC for ch in self.name)
        ):
            return [self.root]
        if not self.root.is_dir():
            raise InputError(f"source {self.name}: folder {self.root} does not exist")
        found = sorted(
            Path(p)
            for p in globlib.glob(self.pattern, root_dir=self.root, recursive=True)
            if not Path(p).name.startswith(("~$", "."))
        )
        return [
            self.root / p
            for p in found
            if _resolved(self.root / p) not in self._skip and not _plain_folder(self.root / p)
        ]

    def label(self, path: Path) -> str:
        """The workbook's name: its path relative to the folder."""
        if path == self.root:
            return path.name
        return path.relative_to(self.root).as_posix()

    def read(self, progress: Callable[[int, int], None] | None = None) -> list[SourceRead]:
        """Read and parse every workbook; one that cannot be read carries its error.

        Workbooks are parsed on a few threads: python-calamine releases the
        GIL while it parses, so this scales with the cores. The threads share
        one malloc arena (``sync.arena``), so what they free serves the run.
        """
        one_arena()
        files = self.files()
        out = []
        with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
            for n, found in enumerate(pool.map(self._read_one, files)):
                if progress is not None:
                    progress(n, len(files))
                out.append(found)
        if progress is not None:
            progress(len(files), len(files))
        return out

    def _read_one(self, path: Path) -> SourceRead:
        name = self.label(path)
        try:
            with open_regular(path, name) as fh:
                data = fh.read()
        except InputError as exc:
            return SourceRead(self.name, name, None, None, str(exc))
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            return SourceRead(self.name, name, None, None, f"{name}: cannot be read ({reason})")
        found = parse(self.name, name, data, max_rows=self.max_rows, decimal=self.decimal)
        # The bytes are hashed and parsed; the store reads them again if it needs them.
        return SourceRead(found.source, name, None, found.table, found.error, found.digest,
                          load=lambda: _again(path))  # fmt: skip

    def __repr__(self) -> str:
        return f"FolderSource({self.name!r})"


def _again(path: Path) -> bytes | None:
    """The bytes of *path* once more, or None if it is gone (the next run keeps it)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of links: it is reported when read
        return path


def _plain_folder(path: Path) -> bool:
    """A folder a recursive glob walks through (``**``) rather than a file-like match."""
    return path.is_dir() and not path.name.lower().endswith(".xlsx")


def from_config(src: config.Source, ws: config.Workspace, skip: tuple[Path, ...]) -> Source:
    """The ``FolderSource`` of one ``[[sources]] kind = "folder"`` entry."""
    if not src.path:
        raise ConfigError("[[sources]] kind = 'folder' needs a path (a folder or a glob)")
    path = ws.resolve(src.path)
    source = FolderSource(
        path, src.glob, skip=skip, max_rows=ws.settings.max_rows, decimal=ws.decimal
    )
    source.name = src.path  # as written in okr.toml: stable when the workspace moves
    return source


def workbook_files(
    paths: Iterable[str | Path], skip: Iterable[Path] = ()
) -> list[tuple[str, Path]]:
    """(name, path) of the workbooks *paths* name: files as given, folders for their workbooks."""
    skip = tuple(skip)
    out: list[tuple[str, Path]] = []
    for raw in paths:
        p = Path(raw)
        if _plain_folder(p):
            source = FolderSource(p, skip=skip)
            out += [(source.label(f), f) for f in source.files()]
        else:
            out.append((p.name, p))
    return out


def workspace_files(ws: config.Workspace, skip: Iterable[Path] = ()) -> list[tuple[str, Path]]:
    """(name, path) of the workbooks of the workspace's folder sources (other kinds have none)."""
    skip = tuple(skip)
    out: list[tuple[str, Path]] = []
    for src in ws.sources:
        if src.kind == "folder" and src.path:
            source = FolderSource(ws.resolve(src.path), src.glob, skip=skip)
            out += [(source.label(f), f) for f in source.files()]
    return out
