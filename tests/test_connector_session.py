"""The connectors' pooled session against real local HTTP and HTTPS servers.

Each behaviour is checked against what a plain ``requests.Session`` does for
the same call, since simple-salesforce and the http connector read the answer
as a ``requests.Response``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import json
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.metrics.connectors.session import PooledSession, pooled_session


class Server:
    """A keep-alive HTTP/1.1 server: routes by path, counts connections and requests."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.connections = 0
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.close_after_answer = False
        self.drop_silently = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                outer.connections += 1
                super().setup()

            def do_GET(self) -> None:
                outer.seen.append(("GET", self.path, dict(self.headers)))
                outer.route(self)

            def do_HEAD(self) -> None:
                outer.seen.append(("HEAD", self.path, dict(self.headers)))
                outer.route(self)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.seen.append(("POST", self.path, dict(self.headers)))
                outer.send(self, 200, json.dumps({"got": body.decode()}).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if context is not None:
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def send(
        self, h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None
    ) -> None:
        h.send_response(status)
        for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        if self.close_after_answer:
            h.send_header("Connection", "close")
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
        if self.close_after_answer or self.drop_silently:
            h.close_connection = True

    def route(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        q = parse_qs(parts.query)
        doc = json.dumps({"path": parts.path, "q": q, "auth": h.headers.get("Authorization")})
        if parts.path == "/gzip":
            self.send(h, 200, gzip.compress(doc.encode()), {"Content-Encoding": "gzip"})
        elif parts.path == "/deflate":
            self.send(h, 200, zlib.compress(doc.encode()), {"Content-Encoding": "deflate"})
        elif parts.path == "/chunked":
            h.send_response(200)
            h.send_header("Transfer-Encoding", "chunked")
            h.send_header("Set-Cookie", "a=1")
            h.send_header("Set-Cookie", "b=2")
            h.end_headers()
            for piece in (doc[:5], doc[5:]):
                h.wfile.write(f"{len(piece):x}\r\n{piece}\r\n".encode())
            h.wfile.write(b"0\r\n\r\n")
        elif parts.path.startswith("/hop/"):
            left = int(parts.path.rsplit("/", 1)[1])
            target = f"/hop/{left - 1}" if left else "/doc?arrived=1"
            self.send(h, 302, b"", {"Location": target})
        elif parts.path == "/away":
            self.send(h, 307, b"", {"Location": q["to"][0]})
        elif parts.path == "/slow":
            time.sleep(1.0)
            self.send(h, 200, doc.encode())
        elif parts.path == "/missing":
            self.send(h, 404, b'{"error": "not found"}')
        else:
            self.send(h, 200, doc.encode())

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def session() -> Iterator[PooledSession]:
    s = pooled_session(4)
    yield s
    s.close()


def plain_session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


@pytest.mark.parametrize("path", ["/doc?a=1", "/gzip", "/deflate", "/chunked", "/missing"])
def test_the_answer_is_the_one_requests_gives(server: Server, session, path: str) -> None:
    ours = session.get(server.url + path, params={"q": "SELECT Id FROM A WHERE B = 'x y'"})
    theirs = plain_session().get(
        server.url + path, params={"q": "SELECT Id FROM A WHERE B = 'x y'"}
    )
    assert ours.status_code == theirs.status_code
    assert ours.content == theirs.content
    assert ours.url == theirs.url
    assert ours.reason == theirs.reason
    assert ours.encoding == theirs.encoding
    ignored = {"date", "content-length"}
    assert {k.lower(): v for k, v in ours.headers.items() if k.lower() not in ignored} == {
        k.lower(): v for k, v in theirs.headers.items() if k.lower() not in ignored
    }
    assert ours.ok == theirs.ok
    if ours.ok:
        assert ours.json() == theirs.json()
    assert server.seen[0][1] == server.seen[1][1]  # the same request line


def test_connections_are_kept_and_reused(server: Server, session) -> None:
    for _ in range(5):
        assert session.get(server.url + "/doc").ok
    assert server.connections == 1


def test_a_server_that_closes_after_each_answer_is_asked_on_a_new_connection(
    server: Server, session
) -> None:
    server.close_after_answer = True
    for _ in range(3):
        assert session.get(server.url + "/doc").json()["path"] == "/doc"
    assert server.connections == 3


def test_a_kept_connection_the_server_dropped_is_replaced(server: Server, session) -> None:
    server.drop_silently = True  # closes after each answer without saying so
    for _ in range(3):
        assert session.get(server.url + "/doc").json()["path"] == "/doc"
    assert server.connections == 3


def test_redirects_are_followed_to_the_end(server: Server, session) -> None:
    answer = session.get(server.url + "/hop/3", headers={"Authorization": "Bearer t"})
    assert answer.json() == {"path": "/doc", "q": {"arrived": ["1"]}, "auth": "Bearer t"}
    assert answer.url == server.url + "/doc?arrived=1"
    kept = session.get(server.url + "/hop/0", allow_redirects=False)
    assert kept.status_code == 302 and kept.headers["Location"] == "/doc?arrived=1"


def test_a_redirect_sends_on_the_headers_requests_sends_on(server: Server) -> None:
    sent = []
    for s in (pooled_session(2), plain_session()):
        server.seen.clear()
        s.get(server.url + "/hop/1", headers={"Authorization": "Bearer t", "Cookie": "a=1"})
        final = {k.lower(): v for k, v in server.seen[-1][2].items()}
        sent.append((final.get("authorization"), final.get("cookie")))
    assert sent[0] == sent[1] == ("Bearer t", None)


def test_too_many_redirects(server: Server, session) -> None:
    with pytest.raises(requests.TooManyRedirects):
        session.get(server.url + "/hop/40")


def test_the_authorization_header_does_not_follow_to_another_host(server: Server) -> None:
    other = Server()
    try:
        elsewhere = other.url.replace("127.0.0.1", "localhost") + "/doc"
        for s in (pooled_session(2), plain_session()):
            answer = s.get(
                server.url + "/away", params={"to": elsewhere}, headers={"Authorization": "x"}
            )
            assert answer.json()["auth"] is None
    finally:
        other.stop()


def test_head_has_no_body(server: Server, session) -> None:
    answer = session.head(server.url + "/doc")
    assert answer.status_code == 200 and answer.content == b""
    assert session.get(server.url + "/doc").ok  # the connection is still in step


def test_a_call_with_a_body_goes_through_requests(server: Server, session) -> None:
    assert session.post(server.url + "/form", data={"a": "1"}).json() == {"got": "a=1"}


def test_session_headers_are_sent_and_a_call_can_remove_one(server: Server, session) -> None:
    session.headers["X-Team"] = "sales"
    session.get(server.url + "/doc", headers={"User-Agent": None})
    sent = {k.lower(): v for k, v in server.seen[0][2].items()}
    assert sent["x-team"] == "sales" and "user-agent" not in sent
    assert sent["accept-encoding"] == "gzip, deflate"


def test_read_timeout(server: Server, session) -> None:
    with pytest.raises(requests.ReadTimeout):
        session.get(server.url + "/slow", timeout=0.2)
    assert session.get(server.url + "/doc", timeout=2).ok


def test_unreachable_is_a_connection_error(session) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(requests.ConnectionError, match="Connection refused") as caught:
        session.get(f"http://127.0.0.1:{port}/doc", timeout=2)
    assert not isinstance(caught.value, requests.Timeout)


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "okr test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_https_is_verified_against_the_ca_bundle_given(tmp_path: Path) -> None:
    cert_file, key_file = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    tls = Server(context)
    try:
        with pytest.raises(requests.exceptions.SSLError):
            pooled_session(2).get(tls.url + "/doc", timeout=2)
        trusting = pooled_session(2)
        trusting.verify = str(cert_file)
        assert trusting.get(tls.url + "/doc", timeout=2).json()["path"] == "/doc"
        unchecked = pooled_session(2)
        assert unchecked.get(tls.url + "/doc", timeout=2, verify=False).ok
    finally:
        tls.stop()
