"""Where department workbooks come from: a ``Source`` yields each workbook's bytes and table.

A source is anything with a ``name`` and a ``read()`` that returns one
``SourceRead`` per workbook: the bytes and the parsed table, or the reason it
could not be read. ``FolderSource`` reads a folder or glob of .xlsx files;
a Google Sheets source plugs in through ``register_kind`` with the same shape.
The consolidation never sees paths, only names, bytes and tables.
"""

from __future__ import annotations

import glob as globlib
import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from okr.reading import Table
from sync import config
from sync.errors import ConfigError, InputError
from sync.workbook import read_workbook_bytes


@dataclass(frozen=True)
class SourceRead:
    """One workbook as read now: bytes and table, or an error saying why not."""

    #: the name of the source it came from (``Source.name``)
    source: str
    #: the workbook's name, unique across sources: ``sales.xlsx``, ``emea/sales.xlsx``
    name: str
    data: bytes | None = None
    table: Table | None = None
    error: str = ""
    #: SHA-256 of the bytes ('' when nothing was read); computed when not given
    digest: str = ""

    def __post_init__(self) -> None:
        """Fill in the digest from the bytes."""
        if self.data is not None and not self.digest:
            object.__setattr__(self, "digest", content_hash(self.data))

    @property
    def ok(self) -> bool:
        """True when the workbook was read and parsed."""
        return self.table is not None and not self.error


@runtime_checkable
class Source(Protocol):
    """A place department workbooks come from."""

    name: str

    def read(self) -> list[SourceRead]:
        """Read every workbook; raise ``InputError`` only when the whole source is unreachable.

        A source may also accept ``progress=callback(done, total)`` to report
        each workbook as it goes; the consolidation passes it when it can.
        """
        ...


def content_hash(data: bytes) -> str:
    """The SHA-256 hex digest identifying a workbook version."""
    return hashlib.sha256(data).hexdigest()


def parse(source: str, name: str, data: bytes) -> SourceRead:
    """Parse workbook *data*; an unreadable workbook becomes a ``SourceRead`` with an error."""
    try:
        table = read_workbook_bytes(data, name)
    except InputError as exc:
        return SourceRead(source, name, data, None, str(exc))
    return SourceRead(source, name, data, table)


_MAGIC = set("*?[")
#: Threads parsing workbooks at once; each holds one workbook's cells.
PARSE_THREADS = min(8, os.cpu_count() or 1)


class FolderSource:
    """The .xlsx files in a folder (matching *glob*), a glob path, or one file.

    Names are paths relative to the folder, so ``sales.xlsx`` or
    ``emea/sales.xlsx`` with a recursive glob. Excel's ``~$`` lock files,
    hidden files and the paths in *skip* (the company workbook and its copies)
    are left out.
    """

    def __init__(
        self, path: str | Path, glob: str = "*.xlsx", *, skip: Iterable[Path] = ()
    ) -> None:
        """Read *path*: a folder (with *glob*), a glob like ``depts/*/okr.xlsx``, or a file."""
        text = str(path)
        self.name = text
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
        if self.root.is_file() and not any(ch in _MAGIC for ch in self.name):
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
            if (self.root / p).is_file() and (self.root / p).resolve() not in self._skip
        ]

    def label(self, path: Path) -> str:
        """The workbook's name: its path relative to the folder."""
        if path == self.root:
            return path.name
        return path.relative_to(self.root).as_posix()

    def read(self, progress: Callable[[int, int], None] | None = None) -> list[SourceRead]:
        """Read and parse every workbook; one that cannot be read carries its error.

        Workbooks are parsed on a few threads: python-calamine releases the
        GIL while it parses, so this scales with the cores.
        """
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
            data = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            return SourceRead(self.name, name, None, None, f"{name}: cannot be read ({reason})")
        return parse(self.name, name, data)

    def __repr__(self) -> str:
        return f"FolderSource({self.name!r})"


SourceFactory = Callable[[config.Source, config.Workspace, tuple[Path, ...]], Source]


def _folder(src: config.Source, ws: config.Workspace, skip: tuple[Path, ...]) -> Source:
    if not src.path:
        raise ConfigError("[[sources]] kind = 'folder' needs a path (a folder or a glob)")
    path = ws.resolve(src.path)
    source = FolderSource(path, src.glob, skip=skip)
    source.name = src.path  # as written in okr.toml: stable when the workspace moves
    return source


KINDS: dict[str, SourceFactory] = {"folder": _folder}


def register_kind(kind: str, factory: SourceFactory) -> None:
    """Make ``[[sources]] kind = <kind>`` build sources with *factory* (e.g. Google Sheets)."""
    KINDS[kind] = factory


def make_source(src: config.Source, ws: config.Workspace, *, skip: Iterable[Path] = ()) -> Source:
    """The ``Source`` for one ``[[sources]]`` entry of the workspace file."""
    factory = KINDS.get(src.kind)
    if factory is None:
        known = ", ".join(sorted(KINDS))
        raise ConfigError(
            f"[[sources]] kind {src.kind!r} is not supported here (known: {known}); "
            "fix the kind in okr.toml"
        )
    return factory(src, ws, tuple(skip))
