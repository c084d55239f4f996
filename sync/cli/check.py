"""``okr check``: read workbooks, check them together as one organisation, report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import click

from okr.cascade import check as check_items
from okr.checkins import check_log
from okr.model import Item
from okr.problems import ERROR, WARNING, Problem, has_errors, make_problem, sort_key
from okr.reading import Table
from okr.settings import Settings
from sync.cli.options import as_of_option, config_option, format_option
from sync.cli.terminal import printable
from sync.config import load_config
from sync.errors import InputError, ServiceError
from sync.gsheets import is_sheet_ref, reader
from sync.sources.folder import PARSE_THREADS, workbook_files
from sync.xlsx.reading import read_workbook


@dataclass
class CheckReport:
    """The outcome of checking a set of workbooks."""

    problems: list[Problem]
    tables: list[Table] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Number of rows read."""
        return sum(len(t.items) for t in self.tables)

    def summary(self) -> dict[str, object]:
        """Counts for the JSON report and the closing line."""
        codes = Counter(p.code for p in self.problems)
        return {
            "workbooks": len(self.tables) + len(self.unreadable),
            "unreadable": len(self.unreadable),
            "rows": self.rows,
            "errors": sum(p.severity == ERROR for p in self.problems),
            "warnings": sum(p.severity == WARNING for p in self.problems),
            "codes": dict(sorted(codes.items())),
        }


def expand_paths(paths: Sequence[str | Path]) -> list[Path | str]:
    """Files as given; a folder stands for its workbooks, as a folder source reads them.

    Google Sheets URLs are kept as they are (``okr check`` reads them too). A
    folder named like a workbook (``x.xlsx``) was meant as one: it is kept,
    and reading it says what it is.
    """
    out: list[Path | str] = []
    for raw in paths:
        if isinstance(raw, str) and is_sheet_ref(raw):
            out.append(raw)
        else:
            out += [p for _, p in workbook_files([raw])]
    return out


def workbook_labels(paths: Sequence[Path | str]) -> list[str]:
    """How each file is named in problems: its file name, or its path when two share a name.

    A Google Sheets URL is named as given.
    """
    names = Counter(p.name for p in paths if isinstance(p, Path))
    return [
        p if not isinstance(p, Path) else p.name if names[p.name] == 1 else p.as_posix()
        for p in paths
    ]


def check_workbooks(
    paths: Sequence[Path | str],
    *,
    parents: Sequence[Path | str] = (),
    settings: Settings | None = None,
    metrics: dict[str, str] | None = None,
    today: date | None = None,
    decimal: str | None = None,
    departments: dict[str, str] | None = None,
    read: Callable[..., Table] | None = None,
) -> CheckReport:
    """Read and check *paths* together; a file that cannot be read becomes a problem.

    Files in *parents* only provide parent IDs. An unreadable parents file
    raises ``InputError``, since the check would be wrong without it. *read*
    turns a path (or a Google Sheets URL) into a table.
    """
    s = settings or Settings()
    if read is None:

        def read(p: Path | str, **options: object) -> Table:
            return read_workbook(p, max_rows=s.max_rows, decimal=decimal, **options)

    context: list[Item] = []
    for p in parents:
        context.extend(read(p, parents=True).items)
    report = CheckReport(problems=[])
    labels = workbook_labels(paths)

    def read_one(p: Path | str, label: str) -> Table | Exception:
        try:
            return read(p, name=label)
        except (InputError, ServiceError) as exc:
            return exc

    # Files are read on a few threads (python-calamine parses without the GIL);
    # Google Sheets one at a time, over their one connection.
    threaded = len(paths) > 1 and PARSE_THREADS > 1 and all(isinstance(p, Path) for p in paths)
    pool = ThreadPoolExecutor(max_workers=PARSE_THREADS) if threaded else None
    try:
        tables = (pool.map if pool else map)(read_one, paths, labels)
        for p, label, table in zip(paths, labels, tables, strict=True):
            if isinstance(table, Exception):
                report.unreadable.append(str(p))
                report.problems.append(make_problem("unreadable", str(table), workbook=label))
                continue
            report.tables.append(table)
            report.problems.extend(table.problems)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)  # an interrupt leaves the files not yet read
    items = [i for t in report.tables for i in t.items]
    report.problems += check_items(
        items, settings, today=today, metrics=metrics, context=context, departments=departments
    )
    checkins = [c for t in report.tables for c in t.checkins]
    report.problems += check_log(items, checkins, settings, today)
    report.problems.sort(key=sort_key)
    return report


def format_text(report: CheckReport) -> str:
    """Problems grouped by workbook, one line each, then a summary line."""
    lines: list[str] = []
    workbook = None
    for p in report.problems:
        if p.workbook != workbook:
            workbook = p.workbook
            lines.append(printable(workbook or "(organisation)"))
        cell = f"{p.sheet}!{p.cell}" if p.cell else "-"
        line = f"  {cell:<12} {p.severity:<7} {p.code:<19} {p.id or '-':<14} {p.message}"
        lines.append(printable(line))
    s = report.summary()
    lines.append(
        f"{s['workbooks']} workbook(s), {s['rows']} row(s): "
        f"{s['errors']} error(s), {s['warnings']} warning(s)"
    )
    return "\n".join(lines)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--parents",
    multiple=True,
    help="Workbook(s) of the level above, whose IDs parents may name.",
)
@format_option
@config_option("Workspace file for settings and the metric registry")
@as_of_option("Evaluation date for staleness")
def check(
    paths: tuple[str, ...],
    parents: tuple[str, ...],
    fmt: str,
    config: Path | None,
    as_of,
) -> int:
    """Check OKR workbooks together: cascade, targets, owners, metrics.

    Exit 0 when no errors (warnings allowed), 1 when errors were found, 2 when
    the input cannot be read.

    PATHS are .xlsx files, folders of them, or Google Sheets URLs.

    Example: okr check departments/*.xlsx --parents company.xlsx --format json
    """
    ws = load_config(config)
    files = expand_paths(paths)
    if not files:
        raise InputError(f"no .xlsx workbooks in {', '.join(map(str, paths))}")
    metrics = None
    if ws.metrics:
        from sync.metrics.registry import load_registry  # its connectors only when metrics exist

        metrics = {n: m.unit for n, m in load_registry(ws).items()}
    report = check_workbooks(
        files,
        parents=expand_paths(parents),
        settings=ws.settings,
        metrics=metrics,
        today=as_of.date() if as_of else None,
        read=reader(ws),
        decimal=ws.decimal,
        departments=ws.departments,
    )
    if len(files) == 1 and report.unreadable:
        raise InputError(report.problems[0].message)  # a lone unreadable file is bad input
    if fmt == "json":
        payload = {"problems": [p.as_dict() for p in report.problems], "summary": report.summary()}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report))
    return 1 if has_errors(report.problems) else 0
