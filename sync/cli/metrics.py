"""``okr metrics``: list the registry, test one metric, refresh the workbooks."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import click

from okr.periods import Period, parse_period
from sync.cli.options import INPUT_PATH, as_of_option, config_option, format_option
from sync.config import CONFIG_NAME, Workspace, did_you_mean, load_config
from sync.errors import InputError, ServiceError
from sync.metrics.connectors import ConnectorSet
from sync.metrics.measure import DEFAULT_WORKERS, Outcome, default_period, evaluate
from sync.metrics.registry import MetricDef, load_connections, load_registry

_CONFIG = config_option("Workspace file with [connections] and [metrics]")
_AS_OF = as_of_option("Measure as if today were this date")


@click.group("metrics")
def metrics() -> None:
    """Live key-result values from ERP, accounting, HRIS and CRM (okr.toml [metrics])."""


def _load(config: Path | None) -> Workspace:
    ws = load_config(config)
    if not ws.metrics:
        where = ws.path or f"./{CONFIG_NAME}"
        raise InputError(f"{where}: no [metrics.*] tables; add metrics (see the README)")
    return ws


@metrics.command("list")
@_CONFIG
@format_option
def list_metrics(config: Path | None, fmt: str) -> int:
    """List the metrics of the registry: connection, unit, lag, owner, description.

    Example: okr metrics list --config okr.toml
    """
    ws = _load(config)
    registry = load_registry(ws)
    rows = [
        {
            "name": m.name,
            "connection": m.connection,
            "kind": m.kind,
            "unit": m.unit,
            "lag_days": m.lag_days,
            "owner": m.owner,
            "description": m.description,
        }
        for m in sorted(registry.values(), key=lambda m: m.name)
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        lag = f"lag {r['lag_days']}d" if r["lag_days"] else ""
        conn = f"{r['connection']} ({r['kind']})"
        click.echo(
            f"{r['name']:<{width}}  {conn:<24} {r['unit'] or '-':<10} {lag:<7} "
            f"{r['owner'] or '-':<28} {r['description']}".rstrip()
        )
    click.echo(f"{len(rows)} metric(s), {len(ws.connections)} connection(s)")
    return 0


@metrics.command("test")
@click.argument("name")
@click.option("--period", help="Period to measure: 2026-Q4, 2026-H2, 2026, 2026-11.")
@_AS_OF
@_CONFIG
@format_option
def test_metric(
    name: str, period: str | None, as_of: datetime | None, config: Path | None, fmt: str
) -> int:
    """Measure one metric now and show value, as-of, source and time taken (nothing is written).

    Example: okr metrics test dso_days --period 2026-Q4
    """
    metric, chosen, outcome = _measure_one(config, name, period, as_of)
    if outcome.state == "failed":
        raise ServiceError(f"metric {name} ({chosen.label}, {metric.connection}): {outcome.error}")
    if fmt == "json":
        click.echo(json.dumps(_outcome_dict(outcome), ensure_ascii=False, indent=2))
        return 0
    if outcome.state == "skipped":
        click.echo(f"{name} {chosen.label}: not measured: {outcome.error}")
        return 0
    click.echo(f"{name} {chosen.label} = {outcome.value:,.6g} {metric.unit}".rstrip())
    click.echo(f"  as of   {outcome.as_of:%Y-%m-%d %H:%M}")
    lag = f", lag_days={metric.lag_days}" if metric.lag_days else ""
    click.echo(f"  window  {outcome.start} .. {outcome.end}{lag}")
    click.echo(f"  source  {outcome.source}")
    click.echo(f"  took    {outcome.duration:.3f} s")
    return 0


def _measure_one(
    config: Path | None,
    name: str,
    period: str | None,
    as_of: datetime | None,
    *,
    detail: bool = False,
) -> tuple[MetricDef, Period, Outcome]:
    """Measure metric *name* once (``metrics test`` and ``metrics detail``); nothing is written."""
    from sync.metrics.detail import wants_detail

    ws = _load(config)
    connections = load_connections(ws)
    registry = load_registry(ws, connections)
    metric = registry.get(name)
    if metric is None:
        raise InputError(f"no metric {name} in the registry{_known(name, registry)}")
    if detail and not wants_detail(metric):
        raise InputError(
            f"metric {name} has no detail: add detail (sql, salesforce), detail_columns (file) "
            "or detail_path (http) to [metrics." + name + "]"
        )
    today = as_of.date() if as_of else date.today()
    chosen = parse_period(period) if period else default_period(ws, today)
    if chosen is None:
        raise InputError(f"--period {period}: use 2026, 2026-H2, 2026-Q4 or 2026-11")
    connectors = ConnectorSet(connections, ws.root, decimal=ws.decimal)
    try:
        outcome = evaluate(
            metric,
            lambda: connectors.get(metric.connection),
            chosen,
            today=today,
            secrets=connectors.secrets(metric.connection),
            # --as-of D stamps D, as the refresh does; the time of day is now.
            now=(lambda: datetime.combine(today, datetime.now().time())) if as_of else datetime.now,
        )
    finally:
        connectors.close()
    return metric, chosen, outcome


def _outcome_dict(o: Outcome) -> dict[str, object]:
    return {
        "metric": o.metric,
        "period": o.period,
        "state": o.state,
        "value": o.value,
        "as_of": o.as_of.isoformat(sep=" ") if o.as_of else None,
        "source": o.source,
        "duration": round(o.duration, 4),
        "error": o.error,
        "window": [str(o.start), str(o.end)] if o.start else None,
    }


@metrics.command("detail")
@click.argument("name")
@click.option("--period", help="Period to measure: 2026-Q4, 2026-H2, 2026, 2026-11.")
@_AS_OF
@_CONFIG
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
    show_default=True,
)  # fmt: skip
def detail_metric(
    name: str, period: str | None, as_of: datetime | None, config: Path | None, fmt: str
) -> int:
    """Measure one metric and print the records behind its value, reconciled (nothing is written).

    Example: okr metrics detail ar_overdue_eur --period 2026-Q4 --format csv
    """

    metric, chosen, outcome = _measure_one(config, name, period, as_of, detail=True)
    if outcome.state != "ok" or outcome.detail is None:
        raise ServiceError(f"metric {name} ({chosen.label}): {outcome.error or 'not measured'}")
    d = outcome.detail
    if d.status == "failed":
        raise ServiceError(f"metric {name} ({chosen.label}) detail: {d.error}")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(d.columns)
        writer.writerows(d.rows)
        click.echo(out.getvalue(), nl=False)
    elif fmt == "json":
        payload = {
            **_outcome_dict(outcome),
            "detail": {
                "columns": list(d.columns),
                "rows": [list(r) for r in d.rows],
                "rows_shown": len(d.rows),
                "rows_total": d.row_count,
                "total": d.total,
                "total_column": d.total_column,
                "status": d.status,
            },
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(f"{name} {chosen.label} = {outcome.value:,.6g} {metric.unit}".rstrip())
        click.echo(f"  as of   {outcome.as_of:%Y-%m-%d %H:%M}, window {outcome.start} .. "
                   f"{outcome.end}")  # fmt: skip
        click.echo(f"  source  {outcome.source}")
        click.echo(f"  rows    {len(d.rows)} shown of {d.row_count}")
        click.echo(f"  check   {d.summary()}")
        click.echo("\t".join(d.columns))
        for row in d.rows:
            click.echo("\t".join("" if v is None else str(v) for v in row))
    return 0  # a mismatch is a warning, shown in the check line


@metrics.command("refresh")
@click.argument("paths", nargs=-1, type=INPUT_PATH)
@_CONFIG
@_AS_OF
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Metrics measured at once (each connection also has max_concurrency).",
)
@format_option
def refresh_metrics(
    paths: tuple[Path, ...],
    config: Path | None,
    as_of: datetime | None,
    workers: int,
    fmt: str,
) -> int:
    """Measure every metric the workbooks use and write Current and As of in place.

    PATHS are workbooks or folders (default: the folder sources of okr.toml).
    Failed metrics keep their last value and get a '(failed: ...)' mark.
    Exit 0 when all went well, 1 when a metric failed or a workbook was skipped.

    Example: okr metrics refresh --config okr.toml departments/
    """
    from sync.metrics.refresh import refresh

    ws = _load(config)
    kwargs = {}
    if as_of:
        # A simulated night: values are stamped on that day, at the time they were measured.
        kwargs["now"] = lambda: datetime.combine(as_of.date(), datetime.now().time())
    report = refresh(ws, paths, today=as_of.date() if as_of else None, workers=workers, **kwargs)
    if fmt == "json":
        payload = {
            "outcomes": [_outcome_dict(o) for o in report.outcomes],
            "workbooks": [w.__dict__ for w in report.workbooks],
            "problems": list(report.problems),
            "seconds": round(report.seconds, 3),
            "recorded": report.recorded,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0 if report.ok else 1
    for o in report.outcomes:
        if o.state != "ok":
            conn = ws.metrics[o.metric]["connection"]  # refresh() checked the registry
            click.echo(f"{o.state:<8} {o.metric} {o.period} [{conn}]: {o.error}")
        elif o.detail is not None and o.detail.status in ("failed", "mismatch"):
            click.echo(f"detail   {o.metric} {o.period}: {o.detail.summary()}")
    for w in report.workbooks:
        if w.state == "written":
            click.echo(f"written  {w.name}: {w.filled} value(s), {w.failed} marked failed")
        elif w.state == "skipped":
            click.echo(f"skipped  {w.name}: {w.error}")
    for problem in report.problems:
        click.echo(f"problem  {problem}")
    good = sum(o.ok for o in report.outcomes)
    click.echo(
        f"{good} of {len(report.outcomes)} metric value(s) measured, "
        f"{len(report.failures)} failed, {len(report.workbooks)} workbook(s) "
        f"in {report.seconds:.2f} s"
    )
    return 0 if report.ok else 1


def _known(name: str, registry: dict) -> str:
    """``; did you mean x? known: a, b, ... (and 4 more: 'okr metrics list')``."""
    names = sorted(registry)
    if not names:
        return "; there are no [metrics.*] in okr.toml yet"
    shown = ", ".join(names[:10])
    more = f" (and {len(names) - 10} more: 'okr metrics list' shows all)" if len(names) > 10 else ""
    return f"{did_you_mean(name, names)}; known: {shown}{more}"
