"""The ``Source`` protocol: a source yields each workbook's bytes and table.

A source is anything with a ``name`` and a ``read(progress=None)`` that
returns one ``SourceRead`` per workbook: the bytes and the parsed table, or
the reason it could not be read. ``FolderSource`` reads a folder or glob of
.xlsx files; another kind is one more entry in ``sync.sources.KINDS``.
The consolidation never sees paths, only names, bytes and tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, runtime_checkable

from okr.reading import Table
from sync.errors import InputError
from sync.xlsx.reading import MAX_ROWS, read_workbook_bytes


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
    #: reads the bytes again when ``data`` was let go (a file source keeps no
    #: copy in memory: a run of thousands of workbooks would hold them all)
    load: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Fill in the digest from the bytes."""
        if self.data is not None and not self.digest:
            object.__setattr__(self, "digest", content_hash(self.data))

    def content(self) -> bytes | None:
        """The bytes read (read again through ``load`` if they were let go), or None."""
        return _content(self.data, self.load)

    def loader(self) -> Callable[[], bytes | None]:
        """``content`` for later, holding what this read holds of the bytes but not its table."""
        return partial(_content, self.data, self.load)

    @property
    def ok(self) -> bool:
        """True when the workbook was read and parsed."""
        return self.table is not None and not self.error


@runtime_checkable
class Source(Protocol):
    """A place department workbooks come from."""

    name: str

    def read(self, progress: Callable[[int, int], None] | None = None) -> list[SourceRead]:
        """Read every workbook; raise ``InputError`` only when the whole source is unreachable.

        *progress* (``callback(done, total)``), when given, is called as
        workbooks are read.
        """
        ...


def _content(data: bytes | None, load: Callable[[], bytes] | None) -> bytes | None:
    if data is not None:
        return data
    return load() if load is not None else None


def content_hash(data: bytes) -> str:
    """The SHA-256 hex digest identifying a workbook version."""
    import hashlib  # OpenSSL's, loaded only where versions are kept (not by okr check)

    return hashlib.sha256(data).hexdigest()


def parse(
    source: str, name: str, data: bytes, *, max_rows: int = MAX_ROWS, decimal: str | None = None
) -> SourceRead:
    """Parse workbook *data*; an unreadable workbook becomes a ``SourceRead`` with an error.

    *max_rows* and *decimal* are the workspace's ``[settings] max_rows`` and
    ``[organisation] decimal``.
    """
    try:
        table = read_workbook_bytes(data, name, max_rows=max_rows, decimal=decimal)
    except InputError as exc:
        return SourceRead(source, name, data, None, str(exc))
    return SourceRead(source, name, data, table)


def parse_stored(
    data: bytes, name: str, *, max_rows: int = MAX_ROWS, decimal: str | None = None
) -> Table:
    """The table of a stored version: an .xlsx, or the values of a Google Sheet.

    Read back by the same rules as when it came in: *max_rows* and *decimal*
    as for ``parse``.
    """
    if data.startswith(b'{"format":"okr-gsheet/'):
        from sync.gsheets.read import parse_version

        return parse_version(data, name, decimal=decimal)
    return read_workbook_bytes(data, name, max_rows=max_rows, decimal=decimal)
