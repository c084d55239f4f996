"""The ``file`` connector: CSV or XLSX exports dropped in a folder.

Accounting and HR systems often only export files. The connector reads the
newest file matching a glob with pandas and reduces one column to a number:
``sum``, ``count``, ``mean``, ``min``, ``max`` or ``last``, over the rows whose
``date_column`` lies in the window and that match simple equality filters
(``where``). There is no expression language: no ``eval``, no Python.

Example::

    [connections.accounting]
    kind = "file"
    folder = "exports/accounting"      # relative to okr.toml
    glob = "ar_open_items_*.csv"

    [metrics.ar_overdue_60_eur]
    connection = "accounting"
    column = "amount_open"
    aggregate = "sum"
    where = { bucket = "over 60" }
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okr.numbers import AmbiguousNumber, parse_number
from sync.metrics.connectors import (
    AGGREGATES,
    ConnectionFailure,
    Fetched,
    KindSpec,
    MetricError,
    as_number,
    shorten,
)
from sync.metrics.detail import SCAN_LIMIT, DetailRows

if TYPE_CHECKING:
    import pandas as pd

    from sync.metrics.registry import MetricDef

SPEC = KindSpec(
    ("folder",),
    ("glob", "sheet", "delimiter", "encoding", "decimal", "thousands", "dayfirst", "date_format"),
    ("aggregate",),
    ("column", "glob", "sheet", "date_column", "where", "detail_columns", "detail_total",
     "detail_rows"),
)  # fmt: skip
_EXCEL = (".xlsx", ".xlsm", ".xls", ".ods")


def check_metric(metric: MetricDef) -> None:
    """Raise ``ValueError`` for a bad aggregate, column or filter."""
    spec = metric.spec
    if spec.get("aggregate") not in AGGREGATES:
        raise ValueError(f"aggregate must be one of {', '.join(AGGREGATES)}")
    if spec["aggregate"] != "count" and not isinstance(spec.get("column"), str):
        raise ValueError(f"aggregate {spec['aggregate']} needs a column (its header)")
    where = spec.get("where", {})
    if not isinstance(where, dict):
        raise ValueError('where must be a table of column = value, e.g. { region = "EMEA" }')
    for col, value in where.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str | int | float | bool) for v in values):
            raise ValueError(f"where.{col} must be a text, number, boolean or a list of them")
    columns = spec.get("detail_columns")
    if columns is not None and (
        not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns)
    ):
        raise ValueError('detail_columns must be a list of column headers, e.g. ["invoice"]')


class FileConnector:
    """Reads exports from *folder*; parsed files are cached by name and modification time.

    *decimal* is ``[organisation] decimal``: how text numbers of the exports are
    read unless the connection's own ``decimal`` says otherwise.
    """

    def __init__(
        self,
        name: str,
        folder: Path,
        options: Mapping[str, Any] | None = None,
        *,
        decimal: str | None = None,
    ) -> None:
        self.name = name
        self.folder = folder
        self.options = dict(options or {})
        # The export's own separators, when the connection names either, win.
        if decimal is not None and not {"decimal", "thousands"} & set(self.options):
            self.options["decimal"] = decimal
        self._cache: dict[tuple[str, int, str], pd.DataFrame] = {}
        self._lock = threading.Lock()

    def newest(self, pattern: str) -> Path:
        """The most recently modified file in the folder matching *pattern*."""
        if not self.folder.is_dir():
            raise ConnectionFailure(f"folder {self.folder} does not exist")
        files = [
            p
            for p in self.folder.glob(pattern)
            if p.is_file() and not p.name.startswith(("~$", ".", "~"))
        ]
        if not files:
            raise MetricError(f"no file matches {pattern} in {self.folder}")
        return max(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def _selected(self, metric: MetricDef, start: date, end: date) -> tuple[Path, Any, Any]:
        """The newest file, its sheet, and the rows the metric's filters and window keep."""
        spec = metric.spec
        pattern = str(spec.get("glob") or self.options.get("glob") or "*")
        path = self.newest(pattern)
        sheet = spec.get("sheet", self.options.get("sheet"))
        frame = self._read(path, sheet)
        frame = _filter(frame, spec.get("where", {}), path, self.options)
        date_column = spec.get("date_column")
        if date_column:
            frame = _in_window(frame, str(date_column), start, end, path, self.options)
        return path, sheet, frame

    def fetch_detail(self, metric: MetricDef, start: date, end: date) -> DetailRows:
        """The rows the metric's ``where`` and window select, its ``detail_columns`` only.

        The ``detail_total`` column is added when not listed, so the rows reconcile.
        """
        path, _sheet, frame = self._selected(metric, start, end)
        names = list(metric.spec["detail_columns"])
        total = metric.spec.get("detail_total")
        if total and str(total).lower() != "count" and total not in names:
            names.append(str(total))
        for name in names:
            _column(frame, name, path)
        if total and str(total).lower() != "count":
            frame = frame.assign(**{str(total): _numbers(frame[str(total)], self.options, path)})
        part = frame[names].head(SCAN_LIMIT)
        rows = [tuple(None if v != v else v for v in r) for r in part.itertuples(index=False)]
        return DetailRows(tuple(names), rows, len(frame) > SCAN_LIMIT)

    def fetch(self, metric: MetricDef, start: date, end: date) -> Fetched:
        """Reduce the metric's column of the newest matching file to one number."""
        spec = metric.spec
        path, sheet, frame = self._selected(metric, start, end)
        value = _aggregate(frame, spec["aggregate"], spec.get("column"), path, self.options)
        shown = (
            f"{path.name}[{sheet}]" if sheet is not None and path.suffix in _EXCEL else path.name
        )
        what = f"{spec['aggregate']}({spec.get('column') or 'rows'})"
        return Fetched(value, f"{self.name}: {shown} {what}")

    def _read(self, path: Path, sheet: str | int | None) -> pd.DataFrame:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, str(sheet))
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        frame = read_export(path, sheet, self.options)
        with self._lock:
            self._cache[key] = frame
        return frame

    def close(self) -> None:
        """Forget cached files."""
        self._cache.clear()


def read_export(path: Path, sheet: str | int | None, options: Mapping[str, Any]) -> pd.DataFrame:
    """Read a CSV or spreadsheet export into a DataFrame; ``MetricError`` when unreadable."""
    import pandas as pd

    try:
        if path.suffix.lower() in _EXCEL:
            engine = "calamine" if path.suffix.lower() != ".ods" else None
            return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, engine=engine)
        # Text in, converted per column here: a thousands separator must not
        # turn a date like 01.10.2026 into a number.
        kwargs = {
            "sep": str(options.get("delimiter", ",")),
            "encoding": str(options.get("encoding", "utf-8-sig")),
            "dtype": str,
        }
        return pd.read_csv(path, **kwargs)
    except ValueError as exc:
        if "Worksheet" in str(exc) or "sheet" in str(exc).lower():
            raise MetricError(f"{path.name} has no sheet {sheet!r}") from None
        raise MetricError(f"cannot read {path.name}: {shorten(str(exc), 120)}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise MetricError(f"cannot read {path.name}: {shorten(str(exc), 120)}") from None


def _numbers(raw: pd.Series, options: Mapping[str, Any], path: Path | None = None) -> pd.Series:
    """Numbers of a column: typed cells as they are, text by the one rule of ``parse_number``.

    Text that is not a number is NaN (the caller says which cells); text that
    reads as two different numbers (``12,5``) is a ``MetricError`` naming the
    row, unless the connection or ``[organisation] decimal`` sets the mark.
    """
    import pandas as pd

    if raw.dtype != object and not pd.api.types.is_string_dtype(raw):
        return pd.to_numeric(raw, errors="coerce")
    thousands = options.get("thousands")
    decimal = options.get("decimal") or _GROUPS.get(str(thousands or ""))
    is_text = raw.map(lambda v: isinstance(v, str)).astype(bool)
    # Cells the file typed as numbers stay as they are (1.234 is a number there, not text).
    out = pd.to_numeric(raw.where(~is_text), errors="coerce").astype(float)
    text = raw[is_text].astype("string").str.strip()
    if thousands:
        text = text.str.replace(str(thousands), "", regex=False)
    # Plain numbers, the bulk of any export, are converted at once; the rest one by one.
    plain = text.str.fullmatch(_PLAIN_COMMA if decimal == "," else _PLAIN)
    if decimal is None:
        plain &= ~text.str.fullmatch(_THOUSANDS_POINT)
    out[plain[plain].index] = pd.to_numeric(text[plain]).astype(float)
    seen: dict[str, float] = {}
    for index, value in text[~plain].items():
        if value not in seen:
            seen[value] = _number(value, raw[index], decimal, raw.name, index, path)
        out[index] = seen[value]
    return out


_GROUPS = {",": ".", ".": ","}
_PLAIN = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_PLAIN_COMMA = r"[+-]?\d+"
#: 1.234 is a thousands point to some readers and a decimal point to others.
_THOUSANDS_POINT = r"[+-]?[1-9]\d{0,2}\.\d{3}"


def _number(
    value: str,
    typed: object,
    decimal: str | None,
    column: object,
    index: object,
    path: Path | None,
) -> float:
    """*value* (the text *typed*, thousands removed) by ``parse_number``; NaN when no number."""
    try:
        number = parse_number(value, decimal)
    except AmbiguousNumber:
        row = f"row {index + 2}" if isinstance(index, int) else f"row {index}"
        name = path.name if path is not None else "the export"
        raise MetricError(
            f"{name} {row} column {str(column)!r} is {shorten(str(typed), 30)!r}, read one way "
            'with a decimal point and another with a decimal comma: set decimal = "," or '
            '"." on the connection or in [organisation]'
        ) from None
    except ValueError:
        return float("nan")
    return float("nan") if number is None else number


def _column(frame: pd.DataFrame, name: str, path: Path) -> pd.Series:
    if name not in frame.columns:
        # The file's own columns, as written there; not the ones added while reading.
        own = [str(c) for c in frame.columns if not str(c).startswith("_okr_")]
        cols = ", ".join(f'"{c}"' for c in own[:12])
        more = f" and {len(own) - 12} more" if len(own) > 12 else ""
        raise MetricError(f'{path.name} has no column "{name}"; its columns are {cols}{more}')
    return frame[name]


def _refuse_unparsed(raw: pd.Series, parsed: pd.Series, path: Path, name: str, what: str) -> None:
    """``MetricError`` when a non-blank cell of *raw* did not parse (is NaN in *parsed*)."""
    bad = parsed.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        example = raw[bad].iloc[0]
        raise MetricError(
            f"{path.name} column {name!r} has {int(bad.sum())} value(s) that are not {what}, "
            f"e.g. {shorten(str(example), 30)!r}"
        )


def _filter(
    frame: pd.DataFrame, where: Mapping[str, Any], path: Path, options: Mapping[str, Any]
) -> pd.DataFrame:
    for name, wanted in where.items():
        col = _column(frame, name, path)
        values = wanted if isinstance(wanted, list) else [wanted]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            mask = _numbers(col, options, path).isin([float(v) for v in values])
        else:
            texts = {str(v).strip().lower() for v in values}
            mask = col.astype(str).str.strip().str.lower().isin(texts)
        frame = frame[mask]
    return frame


def _in_window(
    frame: pd.DataFrame, name: str, start: date, end: date, path: Path, options: Mapping[str, Any]
) -> pd.DataFrame:
    import pandas as pd

    raw = _column(frame, name, path)
    when = pd.to_datetime(
        raw,
        errors="coerce",
        dayfirst=bool(options.get("dayfirst", False)),
        format=options.get("date_format"),
    )
    _refuse_unparsed(raw, when, path, name, "dates")
    low, high = pd.Timestamp(start), pd.Timestamp(end + timedelta(days=1))
    keep = (when >= low) & (when < high)
    return frame[keep].assign(_okr_when=when[keep]).sort_values("_okr_when", kind="stable")


def _aggregate(
    frame: pd.DataFrame, how: str, column: str | None, path: Path, options: Mapping[str, Any]
) -> float:
    if how == "count" and not column:
        return float(len(frame))
    raw = _column(frame, str(column), path)
    if how == "count":
        return float(raw.notna().sum())
    numbers = _numbers(raw, options, path)
    _refuse_unparsed(raw, numbers, path, str(column), "numbers")
    if how == "sum":
        return float(numbers.sum())
    numbers = numbers.dropna()
    if numbers.empty:
        raise MetricError(
            f"no rows of {path.name} match the window and filters, so there is no {how}"
        )
    if how == "last":
        return as_number(numbers.iloc[-1], f"the last {column}")
    return as_number(getattr(numbers, how)(), f"the {how} of {column}")


def from_settings(
    name: str, settings: Mapping[str, Any], root: Path, *, decimal: str | None = None
) -> FileConnector:
    """A connector for ``[connections.NAME]`` with a ``folder`` (relative to *root*).

    *decimal* is ``[organisation] decimal``, the default for the exports' text numbers.
    """
    folder = Path(str(settings["folder"])).expanduser()
    folder = folder if folder.is_absolute() else root / folder
    return FileConnector(name, folder, settings, decimal=decimal)
