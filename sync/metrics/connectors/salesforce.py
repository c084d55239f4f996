"""The ``salesforce`` connector: SOQL through simple-salesforce.

SOQL has no bound parameters, so ``:start`` and ``:end`` are replaced by ISO
date literals that this module formats from ``date`` values (never user
text). A metric is either an aggregate query returning one record with one
number (``SELECT SUM(Amount) total FROM Opportunity WHERE ...``), a
``SELECT COUNT() FROM ...`` (its ``totalSize``), or any query plus ``field``
and ``aggregate`` reduced here over every page (``nextRecordsUrl``).

Example::

    [connections.crm]
    kind = "salesforce"
    instance_url = "https://northwind.my.salesforce.com"
    access_token = "${SF_ACCESS_TOKEN}"

    [metrics.won_amount]
    connection = "crm"
    query = '''SELECT SUM(Amount) total FROM Opportunity
               WHERE IsWon = true AND CloseDate >= :start AND CloseDate <= :end'''
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from sync.metrics.connectors import (
    AGGREGATES,
    ConnectionFailure,
    Fetched,
    KindSpec,
    MetricError,
    as_number,
    check_query,
    shorten,
)
from sync.metrics.connectors.session import PlainHTTP, pooled_session
from sync.metrics.detail import DetailRows, rows_of_records

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from sync.metrics.registry import MetricDef

SPEC = KindSpec(
    (),
    ("instance_url", "access_token", "username", "password", "security_token", "domain",
     "version", "retries", "backoff"),
    ("query",),
    ("field", "aggregate", "detail", "detail_total", "detail_rows"),
)  # fmt: skip
DEFAULT_TIMEOUT = 60.0
_PARAM = re.compile(r"(?<![:\w]):(\w+)\b")
_COUNT = re.compile(r"^\s*select\s+count\(\s*\)\s", re.IGNORECASE)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_metric(metric: MetricDef) -> None:
    """Raise ``ValueError`` for a query with other placeholders or a bad aggregate."""
    check_query(metric.spec, _PARAM, "SOQL text")
    if "aggregate" in metric.spec and metric.spec["aggregate"] not in AGGREGATES:
        raise ValueError(f"aggregate must be one of {', '.join(AGGREGATES)}")
    if "aggregate" in metric.spec and "field" not in metric.spec:
        raise ValueError("aggregate needs field: the record field to reduce, e.g. Amount")
    if "detail" in metric.spec:
        check_query(metric.spec, _PARAM, "SOQL text", key="detail")


def soql(query: str, start: date, end: date) -> str:
    """*query* with ``:start``/``:end`` replaced by SOQL date literals."""
    literals = {"start": start.isoformat(), "end": end.isoformat()}
    return _PARAM.sub(lambda m: literals.get(m.group(1), m.group(0)), query)


def _field(record: Mapping[str, Any], dotted: str) -> Any:
    node: Any = record
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


class SalesforceConnector:
    """Runs SOQL through a simple-salesforce client, with bounded retries on 5xx."""

    def __init__(
        self,
        name: str,
        client: Salesforce,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 2,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.client = client
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def fetch(self, metric: MetricDef, start: date, end: date) -> Fetched:
        """Run the metric's SOQL for the window and reduce the answer to one number."""
        query = soql(str(metric.spec["query"]), start, end)
        field = metric.spec.get("field")
        # query_all pages through nextRecordsUrl but recounts totalSize as the
        # records it holds, which is 0 for SELECT COUNT(): ask once for that.
        counting = bool(_COUNT.match(query)) and not field
        result = self._query(query, float(metric.timeout or self.timeout), counting)
        records = list(result.get("records", []))
        source = f"{self.name}: salesforce {self.client.sf_instance}"
        if field:
            return Fetched(
                _reduce(records, str(field), metric.spec.get("aggregate", "sum")), source
            )
        if counting and not records:
            return Fetched(as_number(result.get("totalSize"), "totalSize"), source)
        if len(records) != 1:
            raise MetricError(
                f"the query returns {len(records)} records; use an aggregate such as "
                "SUM(Amount) total, SELECT COUNT(), or set field and aggregate"
            )
        values = {k: v for k, v in records[0].items() if k != "attributes"}
        if len(values) != 1:
            raise MetricError(
                f"the record has {len(values)} fields ({', '.join(values)}); select one"
            )
        ((key, value),) = values.items()
        return Fetched(as_number(value, f"field {key}"), source)

    def fetch_detail(self, metric: MetricDef, start: date, end: date) -> DetailRows:
        """Run the metric's ``detail`` SOQL for the same window, every page of records."""
        query = soql(str(metric.spec["detail"]), start, end)
        result = self._query(query, float(metric.timeout or self.timeout))
        return rows_of_records(result.get("records", []))

    def _query(self, query: str, timeout: float, single: bool = False) -> dict[str, Any]:
        from simple_salesforce.exceptions import SalesforceError

        attempt = 0
        while True:
            try:
                return self._pages(query, timeout, single)
            except requests.Timeout:
                raise MetricError(f"Salesforce gave no answer within {timeout:g} s") from None
            except requests.ConnectionError:
                raise ConnectionFailure(
                    f"cannot reach Salesforce at {self.client.sf_instance}"
                ) from None
            except SalesforceError as exc:
                status = getattr(exc, "status", 0) or 0
                if (status == 429 or status >= 500) and attempt < self.retries:
                    self.sleep(self.backoff * 2**attempt)
                    attempt += 1
                    continue
                message = _message(exc)
                if status in (401, 403):
                    raise ConnectionFailure(
                        f"Salesforce refused access (HTTP {status}): {message}"
                    ) from None
                raise MetricError(f"Salesforce answered HTTP {status}: {message}") from None

    def _pages(self, query: str, timeout: float, single: bool) -> dict[str, Any]:
        """The first answer (*single*) or every page's records in one list, as ``query_all``
        gives them, without passing each record through a generator."""
        result = self.client.query(query, timeout=timeout)
        if single:
            return result
        records = result.get("records", [])
        while not result.get("done", True) and result.get("nextRecordsUrl"):
            result = self.client.query_more(
                result["nextRecordsUrl"], identifier_is_url=True, timeout=timeout
            )
            records.extend(result.get("records", []))
        return {"records": records, "totalSize": len(records), "done": True}

    def close(self) -> None:
        """Close the client's HTTP session."""
        self.client.session.close()


def _message(exc: Any) -> str:
    content = getattr(exc, "content", None)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return shorten(f"{content[0].get('errorCode', '')} {content[0].get('message', '')}", 160)
    return shorten(str(content or exc), 160)


def _reduce(records: list[Mapping[str, Any]], field: str, how: str) -> float:
    raw = [_field(r, field) for r in records]
    if how == "count":
        return float(sum(v is not None for v in raw))
    numbers = [as_number(v, f"field {field}") for v in raw if v is not None]
    if how == "sum":
        return float(sum(numbers))
    if not numbers:
        raise MetricError(f"no records with {field}, so there is no {how}")
    if how == "mean":
        return sum(numbers) / len(numbers)
    return {"min": min, "max": max}.get(how, lambda n: n[-1])(numbers)


def client(
    settings: Mapping[str, Any], session: requests.Session | None = None, *, pool_size: int = 10
) -> Salesforce:
    """A simple-salesforce client from resolved *settings*.

    ``instance_url`` + ``access_token`` use an existing OAuth session; otherwise
    ``username``, ``password``, ``security_token`` (and ``domain``) log in.
    An ``http://`` instance URL is allowed only on this machine (test servers).
    """
    from simple_salesforce import Salesforce
    from simple_salesforce.exceptions import SalesforceAuthenticationFailed

    session = session or requests.Session()
    version = str(settings.get("version", "59.0"))
    instance_url = str(settings.get("instance_url", ""))
    if instance_url and settings.get("access_token"):
        parts = urlsplit(instance_url)
        if parts.scheme == "http":
            if parts.hostname not in _LOOPBACK:
                raise ValueError(
                    "instance_url must use https:// (http only for a local test server)"
                )
            session.mount(f"https://{parts.netloc}", PlainHTTP(pool_maxsize=pool_size))
        return Salesforce(
            instance_url=instance_url,
            session_id=str(settings["access_token"]),
            session=session,
            version=version,
            object_pairs_hook=None,  # plain dicts: OrderedDict decoding costs twice the CPU
        )
    if all(settings.get(k) for k in ("username", "password")):
        try:
            return Salesforce(
                username=str(settings["username"]),
                password=str(settings["password"]),
                security_token=str(settings.get("security_token", "")),
                domain=settings.get("domain"),
                session=session,
                version=version,
                object_pairs_hook=None,
            )
        except SalesforceAuthenticationFailed as exc:
            raise ConnectionFailure(f"Salesforce login failed: {shorten(str(exc), 120)}") from None
        except requests.RequestException:
            raise ConnectionFailure("cannot reach the Salesforce login server") from None
    raise ValueError("give instance_url and access_token, or username, password and security_token")


def from_settings(name: str, settings: Mapping[str, Any], root: Path) -> SalesforceConnector:
    """A connector for ``[connections.NAME]`` (secrets in *settings* already resolved)."""
    url = str(settings.get("instance_url") or "https://login.salesforce.com")
    size = max(1, int(settings.get("max_concurrency", 16)))
    return SalesforceConnector(
        name,
        client(settings, pooled_session(size, url), pool_size=size),
        timeout=float(settings.get("timeout", DEFAULT_TIMEOUT)),
        retries=int(settings.get("retries", 2)),
        backoff=float(settings.get("backoff", 0.5)),
    )
