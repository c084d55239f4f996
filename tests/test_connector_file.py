"""The file connector over real CSV and XLSX exports in tests/data/metrics."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from sync.config import parse_config
from sync.errors import ConfigError
from sync.metrics.connectors import ConnectionFailure, MetricError
from sync.metrics.connectors.file import from_settings
from sync.metrics.registry import MetricDef, load_registry
from tests.conftest import DATA

EXPORTS = DATA / "metrics"
Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def metric(**spec: object) -> MetricDef:
    return MetricDef("m", "files", "file", spec=spec)


@pytest.fixture
def accounting(tmp_path: Path):
    """The two AR exports, the 2026-11-15 one written last (newest)."""
    folder = tmp_path / "accounting"
    shutil.copytree(EXPORTS / "accounting", folder)
    os.utime(folder / "ar_open_items_2026-10-31.csv", (1_700_000_000, 1_700_000_000))
    os.utime(folder / "ar_open_items_2026-11-15.csv", (1_800_000_000, 1_800_000_000))
    return from_settings(
        "accounting",
        {"folder": str(folder), "glob": "ar_open_items_*.csv", "thousands": ","},
        tmp_path,
    )


@pytest.fixture
def hr(tmp_path: Path):
    return from_settings("hr", {"folder": str(EXPORTS / "hr"), "sheet": "Hires"}, tmp_path)


def test_newest_file_with_equality_filter(accounting) -> None:
    fetched = accounting.fetch(
        metric(column="amount_open", aggregate="sum", where={"bucket": "over 60"}), *Q4
    )
    assert fetched.value == pytest.approx(19_750.50)
    assert fetched.source == "accounting: ar_open_items_2026-11-15.csv sum(amount_open)"


def test_filters_combine_and_accept_lists(accounting) -> None:
    spec = {"bucket": ["over 60", "31-60"], "region": "EMEA"}
    fetched = accounting.fetch(metric(column="amount_open", aggregate="sum", where=spec), *Q4)
    assert fetched.value == pytest.approx(15_500.50)


@pytest.mark.parametrize(
    ("aggregate", "expected"),
    [("sum", 25_500.75), ("count", 5), ("mean", 5_100.15), ("min", 950), ("max", 12_500.5)],
)
def test_aggregates(accounting, aggregate: str, expected: float) -> None:
    fetched = accounting.fetch(metric(column="amount_open", aggregate=aggregate), *Q4)
    assert fetched.value == pytest.approx(expected)


def test_count_of_rows_needs_no_column(accounting) -> None:
    assert accounting.fetch(metric(aggregate="count"), *Q4).value == 6


def test_date_column_bounds_the_rows_and_orders_last(hr) -> None:
    spec = {"column": "days_to_hire", "date_column": "offer_accepted_on"}
    assert hr.fetch(metric(aggregate="mean", **spec), *Q4).value == 40
    assert hr.fetch(metric(aggregate="last", **spec), *Q4).value == 30
    assert (
        hr.fetch(metric(aggregate="count", **spec), date(2026, 10, 1), date(2026, 11, 2)).value == 2
    )


def test_sheet_by_name_and_source(hr) -> None:
    fetched = hr.fetch(metric(column="days_to_hire", aggregate="max"), *Q4)
    assert fetched.value == 99
    assert fetched.source == "hr: hires_2026-11.xlsx[Hires] max(days_to_hire)"


def test_empty_window_sums_to_zero_but_has_no_mean(hr) -> None:
    spec = {"column": "days_to_hire", "date_column": "offer_accepted_on"}
    window = (date(2025, 1, 1), date(2025, 3, 31))
    assert hr.fetch(metric(aggregate="sum", **spec), *window).value == 0
    with pytest.raises(MetricError, match=re.escape("no rows of hires_2026-11.xlsx match")):
        hr.fetch(metric(aggregate="mean", **spec), *window)


def test_missing_sheet_column_and_file_are_clear_errors(hr, tmp_path: Path) -> None:
    with pytest.raises(MetricError, match="has no sheet 'Nope'"):
        hr.fetch(metric(column="days_to_hire", aggregate="sum", sheet="Nope"), *Q4)
    with pytest.raises(MetricError, match='no column "days"; its columns are "requisition_id"'):
        hr.fetch(metric(column="days", aggregate="sum"), *Q4)
    with pytest.raises(MetricError, match=r"no file matches \*.csv"):
        hr.fetch(metric(column="x", aggregate="sum", glob="*.csv"), *Q4)


def test_text_in_a_number_column_is_an_error(tmp_path: Path) -> None:
    broken = from_settings("b", {"folder": str(EXPORTS / "broken")}, tmp_path)
    with pytest.raises(
        MetricError, match=re.escape("1 value(s) that are not numbers, e.g. 'unknown'")
    ):
        broken.fetch(metric(column="amount", aggregate="sum", glob="bad_numbers.csv"), *Q4)
    with pytest.raises(MetricError, match=re.escape("not dates, e.g. 'someday'")):
        broken.fetch(
            metric(column="amount", aggregate="sum", glob="bad_dates.csv", date_column="booked_on"),
            *Q4,
        )


def test_unambiguous_thousands_separators_are_read_without_options(tmp_path: Path) -> None:
    plain = from_settings("a", {"folder": str(EXPORTS / "accounting")}, tmp_path)
    spec = metric(column="amount_open", aggregate="sum", glob="ar_open_items_2026-11-15.csv")
    assert plain.fetch(spec, *Q4).value > 12_500.50


def _export(folder: Path, kind: str, values: list[str]) -> None:
    """A real export with text amounts: a CSV, or an .xlsx whose cells are text."""
    folder.mkdir(exist_ok=True)
    if kind == "csv":
        lines = ["invoice;amount", *(f"I{i};{v}" for i, v in enumerate(values))]
        (folder / "export.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["invoice", "amount"])
    for i, v in enumerate(values):
        wb.active.append([f"I{i}", v])
    wb.save(folder / "export.xlsx")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_decimal_comma_text_follows_the_organisation_setting(tmp_path: Path, kind: str) -> None:
    _export(tmp_path / "x", kind, ["1.234,5", "12,5", "2"])
    settings = {"folder": str(tmp_path / "x"), "delimiter": ";"}
    spec = metric(column="amount", aggregate="sum", glob=f"export.{kind}")
    comma = from_settings("x", settings, tmp_path, decimal=",")
    assert comma.fetch(spec, *Q4).value == pytest.approx(1_234.5 + 12.5 + 2)
    # the connection's own separators win over the organisation's mark
    thousands = from_settings("x", {**settings, "thousands": "."}, tmp_path, decimal=".")
    assert thousands.fetch(spec, *Q4).value == pytest.approx(1_234.5 + 12.5 + 2)
    # the connection's own mark wins over the organisation's
    point = from_settings("x", {**settings, "decimal": "."}, tmp_path, decimal=",")
    with pytest.raises(MetricError, match=re.escape("not numbers, e.g. '1.234,5'")):
        point.fetch(spec, *Q4)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_ambiguous_text_number_names_file_row_column_and_fix(tmp_path: Path, kind: str) -> None:
    _export(tmp_path / "x", kind, ["1.234,5", "12,5"])
    unset = from_settings("x", {"folder": str(tmp_path / "x"), "delimiter": ";"}, tmp_path)
    spec = metric(column="amount", aggregate="sum", glob=f"export.{kind}")
    with pytest.raises(MetricError) as caught:
        unset.fetch(spec, *Q4)
    message = str(caught.value)
    assert message.startswith(f"export.{kind} row 3 column 'amount' is '12,5'")
    assert "set decimal" in message and "[organisation]" in message and "\n" not in message


def test_the_run_passes_the_organisation_decimal_to_file_connections(tmp_path: Path) -> None:
    from sync.metrics.connectors import ConnectorSet
    from sync.metrics.registry import ConnectionDef

    _export(tmp_path / "x", "csv", ["12,5"])
    conns = {"x": ConnectionDef("x", "file", {"kind": "file", "folder": "x", "delimiter": ";"})}
    spec = MetricDef("m", "x", "file", spec={"column": "amount", "aggregate": "sum"})
    connectors = ConnectorSet(conns, tmp_path, decimal=",")
    assert connectors.get("x").fetch(spec, *Q4).value == pytest.approx(12.5)


def test_european_csv_with_options(tmp_path: Path) -> None:
    ledger = from_settings(
        "eu",
        {"folder": str(EXPORTS / "eu"), "delimiter": ";", "decimal": ",", "thousands": ".",
         "dayfirst": True},
        tmp_path,
    )  # fmt: skip
    spec = metric(
        column="betrag", aggregate="sum", date_column="buchungsdatum", where={"konto": 4000}
    )
    assert ledger.fetch(spec, *Q4).value == pytest.approx(2_000.0)


def test_missing_folder_is_a_connection_failure(tmp_path: Path) -> None:
    missing = from_settings("gone", {"folder": "no/such/folder"}, tmp_path)
    with pytest.raises(ConnectionFailure, match="does not exist"):
        missing.fetch(metric(aggregate="count"), *Q4)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"column": "x", "aggregate": "median"}, "aggregate must be one of"),
        ({"aggregate": "sum"}, "needs a column"),
        ({"column": "x", "aggregate": "sum", "where": "bucket = 1"}, "where must be a table"),
        ({"column": "x", "aggregate": "sum", "query": "SELECT 1"}, "unknown key"),
    ],
)
def test_registry_rejects_bad_file_metrics(tmp_path: Path, spec: dict, message: str) -> None:
    ws = parse_config(
        {"connections": {"f": {"kind": "file", "folder": "."}},
         "metrics": {"bad": {"connection": "f", **spec}}},
        tmp_path,
    )  # fmt: skip
    with pytest.raises(ConfigError, match=message) as caught:
        load_registry(ws)
    assert "[metrics.bad]" in str(caught.value)


def test_typed_numbers_in_an_xlsx_export_are_never_ambiguous(tmp_path: Path) -> None:
    from openpyxl import Workbook

    (tmp_path / "x").mkdir()
    wb = Workbook()
    for row in (["invoice", "amount"], ["I1", 1.234], ["I2", "1.234,5"], ["I3", 2]):
        wb.active.append(row)
    wb.save(tmp_path / "x" / "export.xlsx")
    unset = from_settings("x", {"folder": str(tmp_path / "x")}, tmp_path)
    spec = metric(column="amount", aggregate="sum", glob="export.xlsx")
    assert unset.fetch(spec, *Q4).value == pytest.approx(1.234 + 1_234.5 + 2)
