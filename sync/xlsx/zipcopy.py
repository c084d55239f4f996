"""A zip archive rebuilt with some members replaced and the others copied as they are.

``zipfile`` can only write a member by compressing it again, which for an
.xlsx is most of the cost of changing two cells; here the members that stay
the same keep their compressed bytes, CRC and sizes, and only the replaced
ones are compressed.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Mapping

from sync.xlsx.zipformat import Member, ZipLayout, local_header_size

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
    layout = ZipLayout()
    out = bytearray()
    for info in infos:
        if info.flag_bits & 0x1:
            raise ValueError(f"{info.filename} is encrypted")
        if info.filename in new:
            raw = new[info.filename]
            crc, size = zlib.crc32(raw), len(raw)
            method = zipfile.ZIP_DEFLATED
            packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
            body = packer.compress(raw) + packer.flush()
        else:
            start = info.header_offset
            try:
                start += local_header_size(data, start)
            except ValueError:
                raise ValueError(f"{info.filename}: a bad local header") from None
            body = data[start : start + info.compress_size]
            crc, size, method = info.CRC, info.file_size, info.compress_type
        member = Member(
            info.filename, crc, len(body), size, method, info.date_time,
            utf8=bool(info.flag_bits & 0x800), internal_attr=info.internal_attr,
            external_attr=info.external_attr,
        )  # fmt: skip
        out += layout.local(member)
        out += body
    out += layout.end()
    return bytes(out)
