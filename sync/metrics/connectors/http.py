"""The ``http`` connector: a number inside a JSON answer (HRIS and BI APIs).

The metric's ``url`` is a template with ``{start}`` and ``{end}`` (ISO dates);
``path`` points to the number in the JSON (``data.total`` or
``results[0].value``). Headers come from the connection, secrets as
``${ENV_VAR}``. Answers 429 and 5xx are retried a bounded number of times
with exponential backoff (``Retry-After`` is honoured, capped).

Example::

    [connections.hris]
    kind = "http"
    base_url = "https://hris.example.com/api/v2"
    headers = { Authorization = "Bearer ${HRIS_TOKEN}" }

    [metrics.headcount]
    connection = "hris"
    url = "/reports/headcount?on={end}"
    path = "data.headcount"
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from sync.metrics.connectors import (
    ConnectionFailure,
    Fetched,
    KindSpec,
    MetricError,
    as_number,
    shorten,
)
from sync.metrics.connectors.session import pooled_session
from sync.metrics.detail import DetailRows, rows_of_records
from sync.secrets import redact_url, resolve_secrets

if TYPE_CHECKING:
    from sync.metrics.registry import MetricDef

SPEC = KindSpec(
    (),
    ("base_url", "headers", "retries", "backoff", "verify"),
    ("url", "path"),
    ("detail_path", "detail_total", "detail_rows"),
)
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5
MAX_RETRY_AFTER = 30.0
_PLACEHOLDER = re.compile(r"(?<!\$)\{(\w*)\}")
_TOKEN = re.compile(r"\[(\d+)\]|\[[\"']([^\"']+)[\"']\]|([^.\[\]]+)")


def check_metric(metric: MetricDef) -> None:
    """Raise ``ValueError`` for a URL with unknown placeholders or an empty path."""
    url, path = metric.spec.get("url"), metric.spec.get("path")
    if not isinstance(url, str) or not url:
        raise ValueError("url must be text, e.g. '/kpi/headcount?on={end}'")
    other = sorted(set(_PLACEHOLDER.findall(url)) - {"start", "end"})
    if other:
        raise ValueError(f"url uses {{{other[0]}}}; only {{start}} and {{end}} are filled in")
    if not isinstance(path, str) or not parse_path(path):
        raise ValueError("path must point to the number, e.g. 'data.total' or 'rows[0].value'")
    detail = metric.spec.get("detail_path")
    if detail is not None and (not isinstance(detail, str) or not parse_path(detail)):
        raise ValueError("detail_path must point to a list of objects, e.g. 'data.items'")


def parse_path(path: str) -> list[str | int]:
    """``data.items[0].value`` -> ``["data", "items", 0, "value"]`` (a leading ``$`` is ignored)."""
    path = path.strip()
    path = path[1:] if path.startswith("$") else path
    out: list[str | int] = []
    for index, quoted, name in _TOKEN.findall(path):
        if index:
            out.append(int(index))
        elif quoted:
            out.append(quoted)
        elif name.isdigit():
            out.append(int(name))
        else:
            out.append(name)
    return out


def pick(document: Any, path: str) -> Any:
    """The value at *path* in a decoded JSON *document*; ``MetricError`` naming the miss."""
    node = document
    walked = "$"
    for step in parse_path(path):
        if isinstance(step, int) and isinstance(node, list):
            if step >= len(node):
                raise MetricError(f"path {path}: {walked} has only {len(node)} item(s)")
            node = node[step]
        elif isinstance(node, dict) and str(step) in node:
            node = node[str(step)]
        else:
            keys = ", ".join(list(node)[:10]) if isinstance(node, dict) else type(node).__name__
            raise MetricError(f"path {path}: no {step!r} at {walked} (found {keys})")
        walked += f".{step}"
    return node


class HttpConnector:
    """GETs JSON through *session* (its headers and verify are set here), timeout, retries."""

    def __init__(
        self,
        name: str,
        session: requests.Session,
        *,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        verify: bool | str = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.session = session
        self.base_url = base_url.rstrip("/")
        # set once on the session: per-request headers cost a merge on every call
        session.headers.update({str(k): str(v) for k, v in (headers or {}).items()})
        session.verify = verify
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.sleep = sleep
        self._last = threading.local()

    def url_for(self, template: str, start: date, end: date) -> str:
        """The template with dates filled in and joined to the base URL (secrets unresolved)."""
        dates = {"start": start.isoformat(), "end": end.isoformat()}
        url = _PLACEHOLDER.sub(lambda m: dates[m.group(1)], template)
        if not re.match(r"^https?://", url, re.IGNORECASE):
            url = f"{self.base_url}/{url.lstrip('/')}"
        return url

    def fetch(self, metric: MetricDef, start: date, end: date) -> Fetched:
        """GET the metric's URL for the window and return the number at its path."""
        template = self.url_for(str(metric.spec["url"]), start, end)
        shown = redact_url(template)
        document = self._document(template, shown, metric)
        if metric.spec.get("detail_path"):
            # The detail is in the same answer: keep it for fetch_detail (same thread).
            self._last.answer = (template, document)
        value = as_number(
            pick(document, str(metric.spec["path"])), f"the value at {metric.spec['path']}"
        )
        return Fetched(value, f"{self.name}: GET {shown}")

    def fetch_detail(self, metric: MetricDef, start: date, end: date) -> DetailRows:
        """The list of objects at ``detail_path`` in the metric's answer for the window.

        Reuses the answer ``fetch`` just got on this thread instead of asking twice.
        """
        template = self.url_for(str(metric.spec["url"]), start, end)
        kept = getattr(self._last, "answer", None)
        self._last.answer = None
        if kept is not None and kept[0] == template:
            document = kept[1]
        else:
            document = self._document(template, redact_url(template), metric)
        path = str(metric.spec["detail_path"])
        found = pick(document, path)
        if not isinstance(found, list) or not all(map(isinstance, found, repeat(dict))):
            raise MetricError(f"detail_path {path} is not a list of objects")
        return rows_of_records(found)

    def _document(self, template: str, shown: str, metric: MetricDef) -> Any:
        response = self._get(
            resolve_secrets(template), shown, float(metric.timeout or self.timeout)
        )
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type")
            raise MetricError(f"{shown} did not answer JSON ({kind})") from None

    def _get(self, url: str, shown: str, timeout: float) -> requests.Response:
        attempt = 0
        while True:
            try:
                response = self.session.get(url, timeout=timeout)
            except requests.Timeout:
                raise MetricError(f"{shown} gave no answer within {timeout:g} s") from None
            except requests.ConnectionError as exc:
                raise ConnectionFailure(f"cannot reach {_host(shown)}: {_why(exc)}") from None
            except requests.RequestException as exc:
                raise MetricError(f"request to {shown} failed: {_why(exc)}") from None
            code = response.status_code
            if code == 429 or code >= 500:
                if attempt >= self.retries:
                    raise MetricError(f"{shown} answered HTTP {code} {attempt + 1} time(s)")
                self.sleep(self._delay(response, attempt))
                attempt += 1
                continue
            if code in (401, 403):
                raise ConnectionFailure(
                    f"{_host(shown)} refused access (HTTP {code}): check the headers' secrets"
                )
            if code >= 400:
                raise MetricError(f"{shown} answered HTTP {code}")
            return response

    def _delay(self, response: requests.Response, attempt: int) -> float:
        after = response.headers.get("Retry-After", "")
        if after.strip().isdigit():
            return min(float(after), MAX_RETRY_AFTER)
        return min(self.backoff * 2**attempt, MAX_RETRY_AFTER)

    def close(self) -> None:
        """Close the session's pooled connections."""
        self.session.close()


def _host(url: str) -> str:
    m = re.match(r"^(\w+://[^/]+)", url)
    return m.group(1) if m else url


def _why(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route"):
        if marker in text:
            return marker.lower()
    return shorten(text, 100)


def from_settings(name: str, settings: Mapping[str, Any], root: Path) -> HttpConnector:
    """A connector for ``[connections.NAME]`` (secrets in *settings* already resolved)."""
    headers = settings.get("headers", {})
    if not isinstance(headers, dict):
        raise ValueError('headers must be a table, e.g. { Authorization = "Bearer ${TOKEN}" }')
    verify = settings.get("verify", True)
    if isinstance(verify, str) and not Path(verify).is_absolute():
        verify = str(root / verify)
    base_url = str(settings.get("base_url", ""))
    return HttpConnector(
        name,
        pooled_session(int(settings.get("max_concurrency", 16)), base_url),
        base_url=base_url,
        headers=headers,
        timeout=float(settings.get("timeout", DEFAULT_TIMEOUT)),
        retries=int(settings.get("retries", DEFAULT_RETRIES)),
        backoff=float(settings.get("backoff", DEFAULT_BACKOFF)),
        verify=verify,
    )
