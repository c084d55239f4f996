"""The metric registry of ``okr.toml``: connections and metrics, validated.

``[connections.NAME]`` says how to reach a system (``kind`` = sql, file, http
or salesforce, plus its settings, secrets as ``${ENV_VAR}``); ``[metrics.NAME]``
says what to ask it (a query or selector), the unit, owner, description and an
optional ``lag_days`` for month-end close. Measuring them is
``sync.metrics.measure``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.config import Workspace
from sync.errors import ConfigError
from sync.metrics.connectors import (
    KINDS,
    kind_module,
    kind_spec,
)
from sync.metrics.detail import check_detail
from sync.secrets import no_written_secrets

COMMON_METRIC_KEYS = ("connection", "unit", "description", "owner", "lag_days", "timeout")
COMMON_CONNECTION_KEYS = ("kind", "max_concurrency", "timeout")
DEFAULT_CONNECTION_CONCURRENCY = 16


@dataclass(frozen=True)
class ConnectionDef:
    """A ``[connections.NAME]`` table; *settings* still hold ``${VAR}`` references."""

    name: str
    kind: str
    settings: Mapping[str, Any]
    max_concurrency: int = DEFAULT_CONNECTION_CONCURRENCY


@dataclass(frozen=True)
class MetricDef:
    """A ``[metrics.NAME]`` table: common fields plus the kind's own keys in *spec*."""

    name: str
    connection: str
    kind: str
    unit: str = ""
    description: str = ""
    owner: str = ""
    lag_days: int = 0
    timeout: float | None = None
    spec: Mapping[str, Any] = field(default_factory=dict)


def _where(ws: Workspace) -> str:
    return str(ws.path or "okr.toml")


def _positive(value: Any, what: str, where: str, *, integer: bool = False) -> Any:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    if integer:
        ok = ok and float(value).is_integer()
    if not ok:
        kind = "a whole number" if integer else "a number"
        raise ConfigError(f"{where}: {what} must be {kind} above 0, not {value!r}")
    return int(value) if integer else float(value)


def load_connections(ws: Workspace) -> dict[str, ConnectionDef]:
    """The ``[connections.*]`` of *ws*, checked; ``ConfigError`` names what is wrong."""
    where = _where(ws)
    out: dict[str, ConnectionDef] = {}
    for name, table in ws.connections.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [connections.{name}] must be a table")
        kind = table.get("kind")
        if kind not in KINDS:
            raise ConfigError(
                f"{where}: [connections.{name}] kind is {kind!r}: use one of {', '.join(KINDS)}"
            )
        spec = kind_spec(kind)
        _check_keys(
            table,
            spec.connection_required,
            (*COMMON_CONNECTION_KEYS, *spec.connection_optional),
            f"{where}: [connections.{name}]",
        )
        no_written_secrets(table, f"{where}: [connections.{name}]")
        limit = table.get("max_concurrency", DEFAULT_CONNECTION_CONCURRENCY)
        limit = _positive(limit, f"[connections.{name}] max_concurrency", where, integer=True)
        if "timeout" in table:
            _positive(table["timeout"], f"[connections.{name}] timeout", where)
        out[name] = ConnectionDef(name, kind, dict(table), limit)
    return out


def load_registry(
    ws: Workspace, connections: Mapping[str, ConnectionDef] | None = None
) -> dict[str, MetricDef]:
    """Every ``[metrics.*]`` of *ws* as a MetricDef; ``ConfigError`` names a bad one.

    *connections* are ``load_connections(ws)``, loaded here when not given.
    """
    where = _where(ws)
    connections = load_connections(ws) if connections is None else connections
    out: dict[str, MetricDef] = {}
    for name, table in ws.metrics.items():
        label = f"{where}: [metrics.{name}]"
        # parse_config made sure each metric is a table naming a connection
        conn = connections[table["connection"]]
        spec = kind_spec(conn.kind)
        _check_keys(
            table, spec.metric_required, (*COMMON_METRIC_KEYS, *spec.metric_optional), label
        )
        lag = table.get("lag_days", 0)
        if not isinstance(lag, int) or isinstance(lag, bool) or lag < 0:
            raise ConfigError(f"{label} lag_days must be a whole number of days >= 0")
        timeout = table.get("timeout")
        if timeout is not None:
            timeout = _positive(timeout, "timeout", label)
        kind_keys = {k: v for k, v in table.items() if k not in COMMON_METRIC_KEYS}
        out[name] = MetricDef(
            name=name,
            connection=conn.name,
            kind=conn.kind,
            unit=str(table.get("unit", "")),
            description=str(table.get("description", "")),
            owner=str(table.get("owner", "")),
            lag_days=lag,
            timeout=timeout,
            spec=kind_keys,
        )
        try:
            kind_module(conn.kind).check_metric(out[name])
            check_detail(out[name])
        except ValueError as exc:
            raise ConfigError(f"{label}: {exc}") from None
    return out


def _check_keys(
    table: Mapping[str, Any], required: Sequence[str], optional: Sequence[str], label: str
) -> None:
    missing = [k for k in required if k not in table]
    if missing:
        raise ConfigError(f"{label} lacks {', '.join(missing)}: add it (see the README)")
    unknown = sorted(set(table) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(sorted({*required, *optional}))
        raise ConfigError(f"{label} has unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
