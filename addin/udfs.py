"""xlwings UDFs for desktop Excel: one-line wrappers over ``okr.functions``.

In Excel (with the xlwings add-in, ``UDF Modules`` set to ``addin.udfs``)::

    =OKR_PROGRESS(H2, J2, K2, L2)        clamped progress of a key result
    =OKR_PROGRESS(H2:H200, J2:J200, K2:K200, L2:L200)   a whole column at once
    =OKR_STATUS(Q2, G2, TODAY())         on track / at risk / off track / not started
    =OKR_CHECK(OKRs[#All])               one problem line per row of the table
    =OKR_METRIC("revenue", "2026-Q4")    latest value of a metric in the store

They compute exactly what the service's ``/api/v1/functions`` routes compute,
because both call ``okr.functions``. A cell that cannot be computed shows
``#VALUE! <reason>``; a single cell raises, so xlwings shows the reason.
``OKR_METRIC`` asks the service at ``OKR_SERVICE_URL`` (with the token in
``OKR_SERVICE_TOKEN``) when that is set, otherwise it reads the store of the
workspace in ``OKR_CONFIG`` (or ./okr.toml) directly.
"""

from __future__ import annotations

import os

import xlwings as xw

from okr import functions
from okr.functions import CellError

PROBLEMS_HEADING = functions.PROBLEMS_HEADING


def _shown(value: object) -> object:
    """A result as Excel shows it: a lone error raises, an error among cells is text."""
    if isinstance(value, CellError):
        raise ValueError(value.message)
    if isinstance(value, list):
        return [
            [f"#VALUE! {c.message}" if isinstance(c, CellError) else c for c in row]
            for row in value
        ]
    return value


@xw.func
@xw.arg("direction", doc="increase, decrease, at least, at most or milestone, any spelling")
@xw.arg("baseline", doc="where the key result started; empty counts as 0")
@xw.arg("target", doc="where it should end")
@xw.arg("current", doc="where it is now; for a milestone: done, yes, 1, TRUE, 是 ...")
def OKR_PROGRESS(direction: object, baseline: object, target: object, current: object) -> object:
    """Progress of a key result in [0, 1], as okr.scoring.progress computes it."""
    return _shown(functions.okr_progress(direction, baseline, target, current))


@xw.func
@xw.arg("progress", doc="progress between 0 and 1 (the Progress column)")
@xw.arg("period", doc="2026, 2026-H2, 2026-Q4 or 2026-11")
@xw.arg("as_of", doc="the evaluation date; empty means today")
def OKR_STATUS(progress: object, period: object, as_of: object = None) -> object:
    """``on track``, ``at risk``, ``off track``, ``not started``, or "" when unknown."""
    return _shown(functions.okr_status(progress, period, as_of))


@xw.func
@xw.arg("table_range", ndim=2, doc="the whole OKR table including its header row")
@xw.arg("parents", ndim=1, doc="optional: IDs of the level above, e.g. the ParentList range")
def OKR_CHECK(
    table_range: list[list[object]], parents: list[object] | None = None
) -> list[list[str]]:
    """One row of problem messages per row of *table_range*, headed "Problems".

    Runs okr.reading.read_table and okr.cascade.check on the range, so a
    missing parent, a duplicate ID or a bad target shows next to its row.
    *parents* lists the IDs that live in other workbooks ("CO-O1 · Grow
    revenue" entries work), so objectives pointing there are not reported as
    unknown-parent. Problems that belong to no row follow the heading.
    """
    return functions.okr_check(table_range, parents)


@xw.func
@xw.arg("name", doc="the metric's name in the registry ([metrics.NAME] in okr.toml)")
@xw.arg("period", doc="optional: the period, e.g. 2026-Q4")
def OKR_METRIC(name: object, period: object = None) -> object:
    """The latest value of metric *name* for *period*, from the service or the store."""
    url = os.environ.get("OKR_SERVICE_URL", "").strip()
    if url:
        from sync.service.client import call_function

        return call_function(
            url, os.environ.get("OKR_SERVICE_TOKEN", ""), "OKR_METRIC", [name, period]
        )
    from sync.metrics.lookup import store_lookup

    return _shown(functions.okr_metric(name, period, store_lookup(os.environ.get("OKR_CONFIG"))))
