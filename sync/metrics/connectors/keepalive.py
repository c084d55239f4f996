"""One HTTP/1.1 exchange without a body over pooled keep-alive connections (http.client).

``Pools`` keeps up to *size* idle connections per (scheme, host, port), with
one TLS setting (``verify`` as requests takes it: True for the bundled CA
certificates, a CA bundle file or folder, or False). A call answers the status,
reason, headers and the body, decoded when the server compressed it (gzip,
deflate). Failures are the standard library's, tagged by phase: ``ConnectFailed``
wraps what went wrong before the request was sent (timeouts included), the rest
(``OSError``, ``http.client.HTTPException``) come as they are.
"""

from __future__ import annotations

import gzip
import http.client
import os
import ssl
import threading
import zlib
from typing import NamedTuple
from urllib.parse import SplitResult

#: What a call asks servers to compress with: what ``decoded`` can undo.
ACCEPT_ENCODING = "gzip, deflate"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ConnectFailed(Exception):
    """The connection could not be made; ``reason`` is the standard library's error."""

    def __init__(self, reason: BaseException) -> None:
        super().__init__(str(reason))
        self.reason = reason


class Answer(NamedTuple):
    """A server's answer: status, reason, headers in order (repeats kept), decoded body."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class Pools:
    """Idle keep-alive connections by (scheme, host, port), shared by threads."""

    def __init__(self, size: int, verify: bool | str = True, ca_bundle: str = "") -> None:
        self.size = max(1, size)
        self.verify = verify
        self.ca_bundle = ca_bundle
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None

    def call(
        self,
        method: str,
        url: SplitResult,
        headers: dict[str, str],
        timeout: tuple[float | None, float | None],
    ) -> Answer:
        """Send *method* for the http or https *url* with *headers*; the whole answer.

        *timeout* is (connect, read) seconds. A kept connection the server has
        closed meanwhile is replaced once, before anything was read.
        """
        scheme = url.scheme.lower()
        key = (scheme, url.hostname or "", url.port or _DEFAULT_PORTS[scheme])
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        conn = self._take(key)
        reused = conn is not None
        while True:
            if conn is None or conn.sock is None:
                reused, conn = False, self._connect(key, timeout)
            else:
                conn.sock.settimeout(timeout[1])
            try:
                conn.request(method, target, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except ConnectionError:
                conn.close()
                if not reused:
                    raise
                reused, conn = False, None  # closed by the server while idle: once more
                continue
            except BaseException:
                conn.close()
                raise
            break
        if response.will_close:
            conn.close()
        else:
            self._give(key, conn)
        raw = response.getheaders()
        return Answer(response.status, response.reason, raw, decoded(body, raw))

    def _take(self, key: tuple[str, str, int]) -> http.client.HTTPConnection | None:
        with self._lock:
            idle = self._idle.get(key)
            return idle.pop() if idle else None

    def _give(self, key: tuple[str, str, int], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.size:
                idle.append(conn)
                return
        conn.close()

    def _connect(
        self, key: tuple[str, str, int], timeout: tuple[float | None, float | None]
    ) -> http.client.HTTPConnection:
        scheme, host, port = key
        try:
            if scheme == "https":
                conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                    host, port, timeout=timeout[0], context=self._tls()
                )
            else:
                conn = http.client.HTTPConnection(host, port, timeout=timeout[0])
            conn.connect()
        except (OSError, ValueError) as exc:
            raise ConnectFailed(exc) from None
        conn.sock.settimeout(timeout[1])  # type: ignore[union-attr]
        return conn

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            if self.verify is False:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            else:
                where = self.ca_bundle if self.verify is True else str(self.verify)
                if os.path.isdir(where):
                    context = ssl.create_default_context(capath=where)
                else:
                    context = ssl.create_default_context(cafile=where)
            context.set_alpn_protocols(["http/1.1"])
            self._context = context
        return self._context

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle = [c for conns in self._idle.values() for c in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()


class UndecodableBody(ValueError):
    """The server compressed the body in a way this module does not undo."""


def decoded(body: bytes, headers: list[tuple[str, str]]) -> bytes:
    """*body* without the ``Content-Encoding`` the server applied (gzip, deflate)."""
    codings = [
        c.strip().lower()
        for name, value in headers
        if name.lower() == "content-encoding"
        for c in value.split(",")
    ]
    for coding in reversed([c for c in codings if c and c != "identity"]):
        try:
            if coding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif coding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:  # raw deflate, without the zlib header
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            else:
                raise UndecodableBody(f"the answer is compressed as {coding!r}")
        except (OSError, EOFError, zlib.error) as exc:
            raise UndecodableBody(f"the {coding} answer cannot be decompressed: {exc}") from None
    return body
