"""Compressing a workbook's parts on a background thread while they are still being written.

A deflate stream may be cut into pieces compressed one by one, each but the
last ending on a byte boundary (a sync flush), as pigz does: a piece refers
back only into itself, so the pieces laid end to end are one valid stream.
A ``Stream`` takes text (a sheet's rows, its links), cuts it into pieces of
a quarter of a megabyte and hands them to the ``Spool``'s one thread, which
compresses them (zlib lets go of the GIL, so this runs beside the writing)
into one temporary file. ``write_zip`` then lays out the archive from parts
made of plain bytes and streams, and the CRC of a part is put together from
those of its pieces (``crc32_combine``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import zlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

from sync.xlsx.zipformat import Member, ZipLayout

#: Characters a stream gathers before it hands them over as one piece: with
#: AHEAD pieces waiting, what is in flight stays small (about 1% less compression
#: than pieces of a megabyte).
PIECE = 1 << 18
#: zlib's default level, which zipfile (and so xlsxwriter) uses.
LEVEL = 6
#: Pieces waiting for the compressor at most: the writer waits beyond this.
AHEAD = 4
#: The end of a deflate stream: an empty last block.
_LAST_BLOCK = b"\x03\x00"
_ZEROS = bytes(1 << 16)


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)``.

    CRC-32 is affine over GF(2): running ``length2`` zero bytes through the
    register from ``crc1`` and from 0 and adding both to ``crc2`` gives it.
    """
    return _over_zeros(length2, crc1) ^ crc2 ^ _over_zeros(length2, 0)


def _over_zeros(count: int, crc: int) -> int:
    zeros = memoryview(_ZEROS)
    while count:
        step = min(count, len(zeros))
        crc = zlib.crc32(zeros[:step], crc)
        count -= step
    return crc


def deflate_piece(data: bytes) -> bytes:
    """*data* as one piece of a deflate stream: compressed alone, ending on a sync flush."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH)


class Spool:
    """One background thread compressing the pieces of many streams into one temporary file."""

    def __init__(self, folder: str | None = None) -> None:
        """A new spool file in *folder* (the system's temp folder when None)."""
        fd, self.path = tempfile.mkstemp(suffix=".deflate", dir=folder)
        self._fh: BinaryIO = os.fdopen(fd, "w+b")
        self._end = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="okr-deflate")
        self._room = threading.Semaphore(AHEAD)
        self._error: BaseException | None = None

    def add(self, stream: Stream, data: bytes) -> None:
        """Compress *data* as the next piece of *stream*; after a failure, nothing more is.

        The failure (a full disk, say) is raised by ``wait``, when the workbook is closed.
        """
        if self._error is not None:
            return
        self._room.acquire()
        self._pool.submit(self._compress, stream, data)

    def _compress(self, stream: Stream, data: bytes) -> None:
        try:
            if self._error is None:
                body = deflate_piece(data)
                self._fh.write(body)
                stream.crc = zlib.crc32(data, stream.crc)
                stream.size += len(data)
                stream.pieces.append((self._end, len(body)))
                self._end += len(body)
        except BaseException as exc:  # noqa: BLE001 - raised by wait
            self._error = exc
        finally:
            self._room.release()

    def wait(self) -> None:
        """Wait until every piece is compressed and in the file; raises what one met."""
        self._pool.shutdown(wait=True)
        if self._error is not None:
            raise self._error
        self._fh.flush()

    def copy(self, stream: Stream, out: BinaryIO) -> None:
        """Write the compressed pieces of *stream* to *out*, in order."""
        fd = self._fh.fileno()
        for offset, length in _runs(stream.pieces):
            while length:
                chunk = os.pread(fd, min(length, 1 << 22), offset)
                if not chunk:
                    raise OSError(f"{self.path}: shorter than written")
                out.write(chunk)
                offset += len(chunk)
                length -= len(chunk)

    def close(self) -> None:
        """Stop the thread and delete the file."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        with contextlib.suppress(OSError):  # a full disk fails the last flush: nothing to keep
            self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _runs(pieces: Sequence[tuple[int, int]]) -> Iterable[tuple[int, int]]:
    """*pieces* (offset, length) with neighbours in the file joined: fewer, longer reads."""
    start = end = -1
    for offset, length in pieces:
        if offset == end:
            end += length
            continue
        if end > start:
            yield start, end - start
        start, end = offset, offset + length
    if end > start:
        yield start, end - start


class Stream:
    """Text written in order, compressed in pieces by a ``Spool``: a sheet's rows or links."""

    def __init__(self, spool: Spool) -> None:
        """An empty stream compressed by *spool*."""
        self._spool = spool
        self._text: list[str] = []
        self._chars = 0
        #: CRC-32 and length in bytes of what has been compressed
        self.crc = 0
        self.size = 0
        #: (offset, length) of each compressed piece in the spool file
        self.pieces: list[tuple[int, int]] = []

    def write(self, text: str) -> None:
        """Add *text*; a piece's worth goes to the compressor."""
        self._text.append(text)
        self._chars += len(text)
        if self._chars >= PIECE:
            self.flush()

    def flush(self) -> None:
        """Hand what is gathered to the compressor, however little."""
        if self._text:
            data = "".join(self._text).encode("utf-8")
            self._text, self._chars = [], 0
            self._spool.add(self, data)

    def close(self) -> None:
        """The same as ``flush``: a stream holds no descriptor of its own."""
        self.flush()


def write_zip(
    out: BinaryIO, parts: Sequence[tuple[str, Sequence[bytes | Stream]]], spool: Spool
) -> None:
    """Write the archive of *parts*: (name, its bytes and streams in order) each, in order.

    The plain bytes are compressed here, on two threads; the streams were
    compressed already and are copied from *spool* (``Spool.wait`` first).
    Raises ``ValueError`` when the archive would need zip64.
    """

    def pack(segments: Sequence[bytes | Stream]) -> tuple[list[bytes | Stream], int, int, int]:
        bodies: list[bytes | Stream] = []
        crc = size = compressed = 0
        for seg in segments:
            if isinstance(seg, Stream):
                crc = crc32_combine(crc, seg.crc, seg.size)
                size += seg.size
                compressed += sum(length for _, length in seg.pieces)
                bodies.append(seg)
            elif seg:
                crc = zlib.crc32(seg, crc)
                size += len(seg)
                body = deflate_piece(seg)
                compressed += len(body)
                bodies.append(body)
        return bodies, crc, size, compressed + len(_LAST_BLOCK)

    layout = ZipLayout()
    with ThreadPoolExecutor(2, thread_name_prefix="okr-zip") as pool:
        for (name, _), (bodies, crc, size, compressed) in zip(
            parts, pool.map(pack, [segments for _, segments in parts]), strict=True
        ):
            out.write(layout.local(Member(name, crc, compressed, size)))
            for body in bodies:
                if isinstance(body, Stream):
                    spool.copy(body, out)
                else:
                    out.write(body)
            out.write(_LAST_BLOCK)
    out.write(layout.end())
