"""The HTTP session of the ``http`` and ``salesforce`` connectors: plain calls go straight out.

``requests.Session.request`` prepares every call through header and cookie
merging, environment settings, hooks, a redirect loop and urllib3's URL
checks, which cost most of a metric's CPU. A metric's call is always the same
plain GET: headers, query parameters and a timeout. ``PooledSession`` sends
such a call over pooled keep-alive connections (``keepalive``), follows
redirects as requests does, and builds the ``requests.Response`` the callers
read (simple-salesforce among them), raising the errors requests would raise.
Anything else (a body, auth, cookies, hooks, a proxy, a client certificate,
streaming, a custom adapter) goes the usual way. Cookies an answer sets are
not kept: metric APIs authenticate by header.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from typing import Any
from urllib.parse import SplitResult, urlencode, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import (
    DEFAULT_ACCEPT_ENCODING,
    DEFAULT_CA_BUNDLE_PATH,
    get_encoding_from_headers,
    select_proxy,
)

from sync.metrics.connectors import freeze_environment
from sync.metrics.connectors.keepalive import ACCEPT_ENCODING, ConnectFailed, Pools, UndecodableBody

#: requests' own limit on redirects followed
MAX_REDIRECTS = 30
_REDIRECTS = (301, 302, 303, 307, 308)
#: The keyword arguments of ``Session.request`` that take the usual way when given.
_UNUSUAL = ("data", "files", "json", "auth", "cookies", "hooks", "proxies", "stream", "cert")
_KNOWN = frozenset(("params", "headers", "timeout", "verify", "allow_redirects", *_UNUSUAL))


class PlainHTTP(HTTPAdapter):
    """Sends ``https://`` URLs as ``http://`` to a loopback test server (simple-salesforce
    always builds ``https://`` URLs from the instance URL)."""

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send *request* with its scheme changed to ``http``."""
        request.url = "http://" + str(request.url)[len("https://") :]
        return super().send(request, *args, **kwargs)


class PooledSession(requests.Session):
    """A ``requests.Session`` whose plain calls skip its per-call preparation.

    *size* connections are kept per host, as many as the connection's
    ``max_concurrency``.
    """

    def __init__(self, size: int = 10) -> None:
        super().__init__()
        self.size = max(1, size)
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self.size)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self._pools: dict[bool | str, Pools] = {}
        self._lock = threading.Lock()

    def request(  # type: ignore[override]
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send the call over the kept connections when it is plain; else as requests does."""
        target = url.decode() if isinstance(url, bytes) else str(url)
        verb = (method.decode() if isinstance(method, bytes) else str(method)).upper()
        parts = self._plain(verb, target, args, kwargs)
        if parts is None:
            return super().request(method, url, *args, **kwargs)
        params = kwargs.get("params")
        if params:
            query = urlencode(params, doseq=True)
            parts = parts._replace(query=f"{parts.query}&{query}" if parts.query else query)
        headers = CaseInsensitiveDict(self.headers)
        headers.update(kwargs.get("headers") or {})
        if headers.get("Accept-Encoding") == DEFAULT_ACCEPT_ENCODING:
            headers["Accept-Encoding"] = ACCEPT_ENCODING  # what the kept connections decode
        sent = {k: v for k, v in headers.items() if v is not None}
        verify = kwargs.get("verify")
        pools = self._pools_for(self.verify if verify is None else verify)
        timeout = _timeout(kwargs.get("timeout"))
        redirects = MAX_REDIRECTS if kwargs.get("allow_redirects", True) else 0
        for _ in range(redirects + 1):
            answer = _call(pools, verb, parts, sent, timeout)
            location = _header(answer.headers, "location")
            if not redirects or answer.status not in _REDIRECTS or not location:
                return _response(answer, parts)
            following = urlsplit(urljoin(parts.geturl(), location))
            # as requests does: cookies and proxy credentials never follow a redirect,
            # the Authorization header only to the same host
            strip = {"cookie", "proxy-authorization"}
            if self.should_strip_auth(parts.geturl(), following.geturl()):
                strip.add("authorization")
            sent = {k: v for k, v in sent.items() if k.lower() not in strip}
            if answer.status == 303 and verb != "HEAD":
                verb = "GET"
            parts = self._plain(verb, following.geturl(), (), {})  # type: ignore[assignment]
            if parts is None:  # led somewhere only requests goes
                return super().request(verb, following.geturl(), headers=sent, **_rest(kwargs))
        raise requests.TooManyRedirects(f"exceeded {MAX_REDIRECTS} redirects")

    def _plain(
        self, verb: str, url: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> SplitResult | None:
        """*url* split when the call can go over the kept connections, else None."""
        if args or verb not in ("GET", "HEAD") or self.trust_env or self.auth or self.cookies:
            return None
        if not url[:8].lower().startswith(("http://", "https://")):
            return None  # requests says what is wrong with it
        if not kwargs.keys() <= _KNOWN or any(kwargs.get(k) for k in _UNUSUAL):
            return None
        if not isinstance(kwargs.get("timeout"), int | float | tuple | None):
            return None
        if self.hooks.get("response") or (self.proxies and select_proxy(url, self.proxies)):
            return None
        adapter = self.get_adapter(url)
        if type(adapter) is PlainHTTP:
            url = "http://" + url[len("https://") :]
        elif type(adapter) is not HTTPAdapter:
            return None
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        if "@" in parts.netloc or parts.fragment:  # user:password@ is basic auth to requests
            return None
        return parts

    def _pools_for(self, verify: bool | str) -> Pools:
        pools = self._pools.get(verify)
        if pools is None:
            with self._lock:
                pools = self._pools.setdefault(
                    verify, Pools(self.size, verify, DEFAULT_CA_BUNDLE_PATH)
                )
        return pools

    def close(self) -> None:
        """Close the kept connections, and requests' own."""
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for p in pools:
            p.close()
        super().close()


def _call(
    pools: Pools,
    verb: str,
    parts: SplitResult,
    headers: dict[str, str],
    timeout: tuple[float | None, float | None],
) -> Any:
    """One exchange, its failures as the errors requests raises for them."""
    try:
        return pools.call(verb, parts, headers, timeout)
    except ConnectFailed as exc:
        if isinstance(exc.reason, TimeoutError):
            raise requests.ConnectTimeout(f"connecting to {parts.netloc}: timed out") from None
        if isinstance(exc.reason, ssl.SSLError):
            raise requests.exceptions.SSLError(f"{parts.netloc}: {exc.reason}") from None
        if isinstance(exc.reason, ValueError):
            raise requests.exceptions.InvalidURL(f"{parts.netloc}: {exc.reason}") from None
        raise requests.ConnectionError(f"cannot connect to {parts.netloc}: {exc.reason}") from None
    except TimeoutError:
        raise requests.ReadTimeout(f"{parts.netloc}: read timed out") from None
    except UndecodableBody as exc:
        raise requests.exceptions.ContentDecodingError(str(exc)) from None
    except (OSError, http.client.HTTPException) as exc:
        reason = str(exc) or type(exc).__name__
        raise requests.ConnectionError(f"{parts.netloc}: connection broken: {reason}") from None


def _header(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""


def _response(answer: Any, parts: SplitResult) -> requests.Response:
    """The ``requests.Response`` of *answer*, already read."""
    response = requests.Response()
    response.status_code = answer.status
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    for key, value in answer.headers:
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    response.headers = headers
    response._content = answer.body
    response._content_consumed = True
    response.encoding = get_encoding_from_headers(headers)
    response.reason = answer.reason or ""
    response.url = parts.geturl()
    return response


def _timeout(timeout: Any) -> tuple[float | None, float | None]:
    """requests' timeout (seconds, a (connect, read) pair, or None) as a pair."""
    if isinstance(timeout, tuple):
        connect, read = timeout
        return connect, read
    return timeout, timeout


def _rest(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k in ("timeout", "verify", "allow_redirects")}


def pooled_session(size: int, url: str = "") -> PooledSession:
    """A session holding *size* connections per host, environment read once for *url*."""
    return freeze_environment(PooledSession(size), url)
