"""The http connector against a real local HTTP server."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from okr.periods import parse_period
from sync.metrics.connectors import ConnectionFailure, ConnectorSet, MetricError
from sync.metrics.connectors.http import HttpConnector, parse_path, pick
from sync.metrics.connectors.session import pooled_session
from sync.metrics.measure import evaluate, measure_all
from sync.metrics.registry import ConnectionDef, MetricDef

Q4 = (date(2026, 10, 1), date(2026, 11, 27))
Q = parse_period("2026-Q4")
TODAY = date(2026, 11, 27)
Route = Callable[[dict[str, list[str]], dict[str, str]], tuple[int, dict[str, str], bytes]]


class Server:
    """A threaded HTTP server whose routes are plain functions; it counts hits per path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.seen: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                outer.hits[parts.path] += 1
                outer.seen.append((self.path, dict(self.headers)))
                route = outer.routes.get(parts.path)
                if route is None:
                    status, headers, body = 404, {}, b'{"error": "not found"}'
                else:
                    status, headers, body = route(parse_qs(parts.query), dict(self.headers))
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def json(self, path: str, body: object, status: int = 200) -> None:
        self.routes[path] = lambda q, h: (status, {}, json.dumps(body).encode())


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def new_session(kind: str) -> requests.Session:
    """The session ``from_settings`` makes (pooled) or a plain requests one."""
    return pooled_session(4) if kind == "pooled" else requests.Session()


@pytest.fixture(params=["pooled", "requests"])
def http(request, server: Server, sleeps: list[float]) -> HttpConnector:
    return HttpConnector(
        "hris", new_session(request.param), base_url=server.url, timeout=2, sleep=sleeps.append
    )


def metric(url: str, path: str = "data.value", timeout: float | None = None) -> MetricDef:
    return MetricDef("headcount", "hris", "http", timeout=timeout, spec={"url": url, "path": path})


def test_value_at_the_path_with_dates_in_the_url(server: Server, http: HttpConnector) -> None:
    def kpi(q, h):
        body = {"data": {"value": 412, "from": q["from"][0], "to": q["to"][0]}}
        return 200, {}, json.dumps(body).encode()

    server.routes["/kpi"] = kpi
    fetched = http.fetch(metric("/kpi?from={start}&to={end}"), *Q4)
    assert fetched.value == 412
    assert server.seen[0][0] == "/kpi?from=2026-10-01&to=2026-11-27"
    assert fetched.source == f"hris: GET {server.url}/kpi?from=2026-10-01&to=2026-11-27"


@pytest.mark.parametrize(
    ("path", "expected"),
    [("rows[1].value", 2.5), ("rows.0.value", 1), ("$.meta['total count']", 3), ("n", 7.25)],
)
def test_paths(server: Server, http: HttpConnector, path: str, expected: float) -> None:
    body = {"rows": [{"value": 1}, {"value": 2.5}], "meta": {"total count": 3}, "n": "7.25"}
    server.json("/doc", body)
    assert http.fetch(metric("/doc", path), *Q4).value == expected


def test_parse_path() -> None:
    assert parse_path("$.data.items[0].value") == ["data", "items", 0, "value"]
    with pytest.raises(MetricError, match=re.escape("no 'nope' at $.data")):
        pick({"data": {"a": 1}}, "data.nope")


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ({"data": {"value": None}}, "data.value", "empty"),
        ({"data": {"value": "n/a"}}, "data.value", "not a number"),
        ({"data": {"value": [1, 2]}}, "data.value", "list, not a number"),
        ({"data": {"value": True}}, "data.value", "true/false"),
        ({"data": []}, "data[0]", "only 0 item"),
        ({"other": 1}, "data.value", "found other"),
    ],
)
def test_wrong_shape_is_a_clear_error(
    server: Server, http: HttpConnector, body: object, path: str, message: str
) -> None:
    server.json("/doc", body)
    with pytest.raises(MetricError, match=message):
        http.fetch(metric("/doc", path), *Q4)


def test_not_json(server: Server, http: HttpConnector) -> None:
    server.routes["/html"] = lambda q, h: (200, {"Content-Type": "text/html"}, b"<html>")
    with pytest.raises(MetricError, match="did not answer JSON"):
        http.fetch(metric("/html"), *Q4)


def test_timeout(server: Server, http: HttpConnector) -> None:
    def slow(q, h):
        time.sleep(1.5)
        return 200, {}, b'{"data": {"value": 1}}'

    server.routes["/slow"] = slow
    started = time.monotonic()
    with pytest.raises(MetricError, match=re.escape("no answer within 0.3 s")):
        http.fetch(metric("/slow", timeout=0.3), *Q4)
    assert time.monotonic() - started < 1.2


@pytest.mark.parametrize("kind", ["pooled", "requests"])
def test_unreachable_server_is_a_connection_failure(sleeps: list[float], kind: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    http = HttpConnector("hris", new_session(kind), base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(ConnectionFailure, match=re.escape("cannot reach http://127.0.0.1")):
        http.fetch(metric("/kpi"), *Q4)


def test_429_then_success_backs_off(server: Server, http: HttpConnector, sleeps) -> None:
    answers = iter([(429, {"Retry-After": "2"}, b"{}"), (503, {}, b"{}"), (200, {}, b'{"v": 9}')])
    server.routes["/busy"] = lambda q, h: next(answers)
    assert http.fetch(metric("/busy", "v"), *Q4).value == 9
    assert server.hits["/busy"] == 3
    assert sleeps == [2.0, 1.0]  # Retry-After honoured, then backoff 0.5 * 2**1


def test_retries_are_bounded(server: Server, http: HttpConnector, sleeps) -> None:
    server.json("/down", {"error": "maintenance"}, status=503)
    with pytest.raises(MetricError, match="answered HTTP 503 4 time"):
        http.fetch(metric("/down"), *Q4)
    assert server.hits["/down"] == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_auth_failure_and_not_found(server: Server, http: HttpConnector) -> None:
    server.json("/secret", {"error": "no"}, status=401)
    with pytest.raises(ConnectionFailure, match="refused access"):
        http.fetch(metric("/secret"), *Q4)
    with pytest.raises(MetricError, match="HTTP 404"):
        http.fetch(metric("/missing"), *Q4)


def test_headers_and_url_secrets_come_from_the_environment(
    server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HRIS_TOKEN", "tok-123456")
    monkeypatch.setenv("HRIS_KEY", "key-abcdef")
    server.routes["/kpi"] = lambda q, h: (
        (200, {}, b'{"v": 5}')
        if h.get("Authorization") == "Bearer tok-123456" and q["api_key"] == ["key-abcdef"]
        else (401, {}, b"{}")
    )
    settings = {
        "kind": "http",
        "base_url": server.url,
        "headers": {"Authorization": "Bearer ${HRIS_TOKEN}"},
    }
    connectors = ConnectorSet({"hris": ConnectionDef("hris", "http", settings)}, tmp_path)
    m = MetricDef(
        "m", "hris", "http", spec={"url": "/kpi?api_key=${HRIS_KEY}&on={end}", "path": "v"}
    )
    outcome = evaluate(
        m, lambda: connectors.get("hris"), parse_period("2026-Q4"), today=date(2026, 11, 27)
    )
    connectors.close()
    assert outcome.ok and outcome.value == 5
    assert "key-abcdef" not in outcome.source and "tok-123456" not in outcome.source
    assert "api_key=***" in outcome.source


def test_missing_environment_variable_fails_the_connection(tmp_path: Path) -> None:
    settings = {"kind": "http", "headers": {"Authorization": "Bearer ${OKR_TEST_UNSET_TOKEN}"}}
    connectors = ConnectorSet({"hris": ConnectionDef("hris", "http", settings)}, tmp_path)
    with pytest.raises(ConnectionFailure, match="OKR_TEST_UNSET_TOKEN is not set"):
        connectors.get("hris")


def test_concurrency_is_bounded_per_connection_and_overall(server: Server, tmp_path: Path) -> None:
    lock = threading.Lock()
    now: Counter[str] = Counter()
    peak: Counter[str] = Counter()

    def counted(name: str) -> Route:
        def route(q, h):
            with lock:
                now[name] += 1
                now["all"] += 1
                peak[name] = max(peak[name], now[name])
                peak["all"] = max(peak["all"], now["all"])
            time.sleep(0.05)
            with lock:
                now[name] -= 1
                now["all"] -= 1
            return 200, {}, b'{"v": 1}'

        return route

    server.routes["/a"], server.routes["/b"] = counted("a"), counted("b")
    conns = {
        "a": ConnectionDef("a", "http", {"kind": "http", "base_url": server.url}, 2),
        "b": ConnectionDef("b", "http", {"kind": "http", "base_url": server.url}, 3),
    }
    jobs = [
        (MetricDef(f"{c}{i}", c, "http", spec={"url": f"/{c}?i={i}", "path": "v"}), Q)
        for i in range(12)
        for c in "ab"
    ]
    connectors = ConnectorSet(conns, tmp_path)
    outcomes = measure_all(jobs, connectors, {"a": 2, "b": 3}, today=TODAY, workers=4)
    connectors.close()
    assert [o.metric for o in outcomes] == [m.name for m, _ in jobs]
    assert all(o.ok for o in outcomes)
    assert peak["a"] == 2 and peak["b"] <= 3 and peak["all"] <= 4


def test_a_dead_connection_fails_fast_and_the_others_go_on(server: Server, tmp_path: Path) -> None:
    server.json("/up", {"v": 2})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conns = {
        "down": ConnectionDef(
            "down", "http", {"kind": "http", "base_url": f"http://127.0.0.1:{port}"}, 2
        ),
        "up": ConnectionDef("up", "http", {"kind": "http", "base_url": server.url}, 2),
    }
    jobs = [
        (MetricDef(f"d{i}", "down", "http", spec={"url": "/x", "path": "v"}), Q) for i in range(50)
    ]
    jobs += [
        (MetricDef(f"u{i}", "up", "http", spec={"url": "/up", "path": "v"}), Q) for i in range(5)
    ]
    connectors = ConnectorSet(conns, tmp_path)
    started = time.monotonic()
    outcomes = measure_all(jobs, connectors, {"down": 2, "up": 2}, today=TODAY)
    connectors.close()
    assert time.monotonic() - started < 2
    down = [o for o in outcomes if o.metric.startswith("d")]
    assert all(o.state == "failed" and "cannot reach" in o.error for o in down)
    assert [o.value for o in outcomes if o.metric.startswith("u")] == [2] * 5
