"""Metric connectors: one per connection kind, each only *fetches* one number.

A connector is built from a ``[connections.NAME]`` table by its module's
``from_settings(name, settings, root)``; the classes themselves take their
client (SQLAlchemy engine, ``requests.Session``, ``Salesforce``) as an
argument so tests point them at local servers. Modules are imported lazily,
so listing metrics does not load pandas or simple-salesforce.

Failures are ``MetricError`` (this metric failed, the reason is short and
user-facing) or ``ConnectionFailure`` (the connection itself is unusable: the
other metrics of that connection fail fast with the same reason).
"""

from __future__ import annotations

import importlib
import numbers
import os
import re
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sync.errors import OkrError, ServiceError
from sync.secrets import resolve_secrets, secret_values

if TYPE_CHECKING:
    from sync.metrics.registry import ConnectionDef, MetricDef

#: connection kind -> module implementing it
KINDS: dict[str, str] = {
    "sql": "sync.metrics.connectors.sql",
    "file": "sync.metrics.connectors.file",
    "http": "sync.metrics.connectors.http",
    "salesforce": "sync.metrics.connectors.salesforce",
}
#: the aggregates a file or Salesforce metric may name
AGGREGATES = ("sum", "count", "mean", "min", "max", "last")


class MetricError(ServiceError):
    """One metric could not be measured; the message is the short reason."""


class ConnectionFailure(MetricError):
    """The connection itself is unusable (unreachable, bad credentials, missing file)."""


@dataclass(frozen=True)
class Fetched:
    """A measured number and where it came from (never containing a secret)."""

    value: float
    source: str


class Connector(Protocol):
    """What every connection kind provides."""

    def fetch(self, metric: MetricDef, start: date, end: date) -> Fetched:
        """Measure *metric* over the window ``start..end`` (both included)."""
        ...

    def close(self) -> None:
        """Release clients and pools."""
        ...


@dataclass(frozen=True)
class KindSpec:
    """The settings a kind accepts: on the connection and on each metric."""

    connection_required: tuple[str, ...]
    connection_optional: tuple[str, ...]
    metric_required: tuple[str, ...]
    metric_optional: tuple[str, ...]


def kind_module(kind: str) -> Any:
    """The module implementing connection *kind*; ``KeyError`` when there is none."""
    return importlib.import_module(KINDS[kind])


def kind_spec(kind: str) -> KindSpec:
    """The accepted settings of *kind* (each module defines ``SPEC``)."""
    return kind_module(kind).SPEC


def open_connector(
    name: str, settings: Mapping[str, Any], root: Path, *, decimal: str | None = None
) -> Connector:
    """Build the connector for connection *name* from its resolved *settings*.

    *decimal* (``[organisation] decimal``) reaches the kinds that read numbers
    typed as text, the file exports; the others get numbers typed by their source.
    """
    module = kind_module(str(settings["kind"]))
    if str(settings["kind"]) == "file":
        return module.from_settings(name, settings, root, decimal=decimal)
    return module.from_settings(name, settings, root)


def as_number(value: object, what: str) -> float:
    """*value* as a float, or ``MetricError`` saying what came back instead.

    Numbers (int, float, Decimal, numpy scalars) pass; so do strings that are plain numbers,
    as some APIs send decimals as text. Booleans, None and anything else fail.
    """
    if value is None:
        raise MetricError(f"{what} is empty (NULL); a metric must return one number")
    if isinstance(value, bool):
        raise MetricError(f"{what} is a true/false value, not a number")
    if isinstance(value, numbers.Real) or type(value).__name__ == "Decimal":
        number = float(value)  # type: ignore[arg-type]
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise MetricError(f"{what} is the text {shorten(value, 40)!r}, not a number") from None
    else:
        raise MetricError(f"{what} is a {type(value).__name__}, not a number")
    if number != number or number in (float("inf"), float("-inf")):
        raise MetricError(f"{what} is not a finite number")
    return number


def check_query(
    spec: Mapping[str, Any], placeholders: re.Pattern[str], what: str, *, key: str = "query"
) -> None:
    """Raise ``ValueError`` unless ``spec[key]`` is *what* using only ``:start``/``:end``."""
    query = spec.get(key)
    if not isinstance(query, str) or not query.strip():
        raise ValueError(f"{key} must be {what}")
    other = sorted(set(placeholders.findall(query)) - {"start", "end"})
    if other:
        names = ", ".join(f":{n}" for n in other)
        raise ValueError(f"{key} uses {names}; only :start and :end are filled in (the period)")


def freeze_environment(session: Any, url: str) -> Any:
    """Read proxy and CA-bundle settings from the environment once, not per request.

    requests re-reads the whole environment on every call when ``trust_env``
    is on, which costs about a third of a metric's CPU; the result is the
    same for every request of one connection, so take it once here.
    """
    import requests.utils

    session.proxies.update(requests.utils.get_environ_proxies(url) if url else {})
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle and session.verify is True:
        session.verify = bundle
    session.trust_env = False
    return session


def shorten(text: str, limit: int = 160) -> str:
    """*text* on one line, cut to *limit* characters."""
    one = " ".join(str(text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


class ConnectorSet:
    """Connectors opened on first use, one per connection, shared by threads.

    *decimal* is ``[organisation] decimal``, passed to the connectors that read text numbers.
    """

    def __init__(
        self, connections: Mapping[str, ConnectionDef], root: Path, *, decimal: str | None = None
    ) -> None:
        self._defs = dict(connections)
        self._root = root
        self._decimal = decimal
        self._open: dict[str, Connector | ConnectionFailure] = {}
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()
        self._secrets = {n: secret_values(dict(c.settings)) for n, c in self._defs.items()}

    def secrets(self, name: str) -> set[str]:
        """Secret values of connection *name*, to keep out of messages."""
        return self._secrets.get(name, set())

    def get(self, name: str) -> Connector:
        """The connector of connection *name*; raises ``ConnectionFailure`` if it cannot open."""
        with self._guard:
            lock = self._locks[name]
        with lock:
            if name not in self._open:
                self._open[name] = self._connect(name)
            found = self._open[name]
        if isinstance(found, ConnectionFailure):
            raise ConnectionFailure(str(found))
        return found

    def _connect(self, name: str) -> Connector | ConnectionFailure:
        try:
            settings = resolve_secrets(dict(self._defs[name].settings))
            return open_connector(name, settings, self._root, decimal=self._decimal)
        except (OkrError, ValueError) as exc:
            return ConnectionFailure(f"connection {name}: {exc}")
        except Exception as exc:  # noqa: BLE001 - a missing driver, a client's own error
            return ConnectionFailure(
                f"connection {name}: {type(exc).__name__}: {shorten(str(exc))}"
            )

    def close(self) -> None:
        """Close every opened connector."""
        for found in self._open.values():
            if not isinstance(found, ConnectionFailure):
                found.close()
        self._open.clear()
