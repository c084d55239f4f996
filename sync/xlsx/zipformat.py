"""The records of a zip archive, for writers that bring their own compressed bytes.

``zipfile`` compresses every member itself. ``sync.xlsx.zipcopy`` copies
members that did not change and ``sync.xlsx.deflate`` writes members
compressed beforehand; both lay out the archive with ``ZipLayout``: a
local header before each member's bytes, the central directory and its end
record after the last. No zip64: a member or an archive of 4 GiB or more
is refused, as xlsxwriter refuses one unless asked for zip64.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
#: Sizes and offsets at or past this need zip64.
LIMIT = 0xFFFF_FFFF
#: xlsxwriter's member time: 31 January 1980 (the 1st is not portable).
XLSX_TIME = (1980, 1, 31, 0, 0, 0)


@dataclass(frozen=True)
class Member:
    """What the headers say of one member; its bytes follow the local header."""

    name: str
    crc: int
    compressed: int
    size: int
    method: int = zipfile.ZIP_DEFLATED
    date_time: tuple[int, int, int, int, int, int] = XLSX_TIME
    utf8: bool = False
    internal_attr: int = 0
    external_attr: int = 0o100600 << 16  # a regular file, as zipfile records a temp file


class ZipLayout:
    """The headers of an archive written front to back: ``local`` before each member, ``end``."""

    def __init__(self) -> None:
        """A new, empty archive."""
        self.offset = 0
        self._central = bytearray()
        self._count = 0

    def local(self, m: Member) -> bytes:
        """The local header of *m*; its ``m.compressed`` bytes must follow it."""
        if max(m.size, m.compressed, self.offset) >= LIMIT or self._count >= 0xFFFF:
            raise ValueError("the archive needs zip64")
        name = m.name.encode("utf-8" if m.utf8 else "cp437")
        flags = 0x800 if m.utf8 else 0  # sizes are written up front: no data descriptor
        year, month, day, hour, minute, second = m.date_time
        dostime = (hour << 11) | (minute << 5) | (second // 2)
        dosdate = ((year - 1980) << 9) | (month << 5) | day
        head = _LOCAL.pack(
            b"PK\x03\x04", 20, flags, m.method, dostime, dosdate, m.crc, m.compressed, m.size,
            len(name), 0,
        )  # fmt: skip
        self._central += _CENTRAL.pack(
            b"PK\x01\x02", 20, 20, flags, m.method, dostime, dosdate, m.crc, m.compressed,
            m.size, len(name), 0, 0, 0, m.internal_attr, m.external_attr, self.offset,
        )  # fmt: skip
        self._central += name
        self._count += 1
        self.offset += len(head) + len(name) + m.compressed
        return head + name

    def end(self) -> bytes:
        """The central directory and its end record, written after the last member."""
        if self.offset + len(self._central) >= LIMIT:
            raise ValueError("the archive needs zip64")
        end = _END.pack(
            b"PK\x05\x06", 0, 0, self._count, self._count, len(self._central), self.offset, 0
        )
        return bytes(self._central) + end


def local_header_size(data: bytes, offset: int) -> int:
    """The length of the local header (with name and extra field) at *offset* of *data*."""
    fields = _LOCAL.unpack_from(data, offset)
    if fields[0] != b"PK\x03\x04":
        raise ValueError("a bad local header")
    return _LOCAL.size + fields[9] + fields[10]
