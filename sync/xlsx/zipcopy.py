"""A zip archive rebuilt with some members replaced and the others copied as they are.

``zipfile`` can only write a member by compressing it again, which for an
.xlsx is most of the cost of changing two cells; here the members that stay
the same keep their compressed bytes, CRC and sizes, and only the replaced
ones are compressed.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Mapping

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_LIMIT = 0xFFFF_FFFF
#: a quick level: a sheet is compressed again on every refresh (3 is ~3x faster than 6)
_LEVEL = 3


def replace_members(data: bytes, new: Mapping[str, bytes]) -> bytes:
    """*data* (a zip archive) with the members named in *new* holding those bytes.

    Raises ``ValueError`` for an archive it does not copy plainly (zip64,
    encrypted members, a member to replace that is missing).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    names = {i.filename for i in infos}
    if set(new) - names:
        raise ValueError(f"no member {sorted(set(new) - names)[0]}")
    if len(infos) >= 0xFFFF or len(data) >= _LIMIT:
        raise ValueError("a zip64 archive")
    out = bytearray()
    central = bytearray()
    for info in infos:
        if info.flag_bits & 0x1:
            raise ValueError(f"{info.filename} is encrypted")
        name = info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
        if info.filename in new:
            raw = new[info.filename]
            crc, size = zlib.crc32(raw), len(raw)
            method = zipfile.ZIP_DEFLATED
            packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
            body = packer.compress(raw) + packer.flush()
        else:
            offset = info.header_offset
            fields = _LOCAL.unpack_from(data, offset)
            if fields[0] != b"PK\x03\x04":
                raise ValueError(f"{info.filename}: a bad local header")
            start = offset + _LOCAL.size + fields[9] + fields[10]
            body = data[start : start + info.compress_size]
            crc, size, method = info.CRC, info.file_size, info.compress_type
        if size >= _LIMIT or len(body) >= _LIMIT:
            raise ValueError("a zip64 member")
        flags = info.flag_bits & 0x800  # sizes are written up front: no data descriptor
        dostime = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
        dosdate = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
        at = len(out)
        out += _LOCAL.pack(
            b"PK\x03\x04", 20, flags, method, dostime, dosdate, crc, len(body), size, len(name), 0
        )
        out += name
        out += body
        central += _CENTRAL.pack(
            b"PK\x01\x02", 20, 20, flags, method, dostime, dosdate, crc, len(body), size,
            len(name), 0, 0, 0, info.internal_attr, info.external_attr, at,
        )  # fmt: skip
        central += name
    start = len(out)
    out += central
    out += _END.pack(b"PK\x05\x06", 0, 0, len(infos), len(infos), len(central), start, 0)
    return bytes(out)
