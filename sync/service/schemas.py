"""Request and answer shapes of the API, for validation and the OpenAPI document."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Dict, Float, Integer, List, Nested, Raw, String
from apiflask.validators import Range


class FunctionCall(Schema):
    """``{"args": [a1, a2, ...]}``: each a scalar or a 2-D array (rows of cells)."""

    args = List(Raw(allow_none=True), load_default=list, metadata={"description": "arguments"})


class FunctionResult(Schema):
    """``{"result": ...}``: a scalar or a 2-D array of the broadcast shape."""

    result = Raw(allow_none=True)


class BatchCall(Schema):
    """One call of a batch."""

    function = String(required=True)
    args = List(Raw(allow_none=True), load_default=list)


class Batch(Schema):
    """``{"calls": [{"function": NAME, "args": [...]}, ...]}``."""

    calls = List(Nested(BatchCall), required=True)


class ErrorDetail(Schema):
    """What went wrong."""

    code = String(required=True)
    message = String(required=True)


class BatchResult(Schema):
    """``{"result": ...}`` or ``{"error": {...}}``."""

    result = Raw(allow_none=True)
    error = Nested(ErrorDetail)


class BatchResults(Schema):
    """One entry per call, in order."""

    results = List(Nested(BatchResult))


class Problem(Schema):
    """A problem found by the cascade check."""

    code = String()
    severity = String()
    id = String()
    workbook = String()
    sheet = String()
    cell = String()
    message = String()


class CheckRequest(Schema):
    """Rows of the OKRs table: a header row then data rows, or objects keyed by column."""

    rows = List(Raw(), required=True)
    parents = List(Raw(allow_none=True), load_default=list)
    as_of = String(load_default=None, allow_none=True)


class CheckResult(Schema):
    """The problems and their counts."""

    problems = List(Nested(Problem))
    errors = Integer()
    warnings = Integer()
    rows = Integer()


class Upload(Schema):
    """The answer to an upload."""

    department = String()
    version = Integer(allow_none=True)
    stored = Boolean()
    digest = String()
    size = Integer()
    errors = Integer()
    warnings = Integer()
    problems = List(Nested(Problem))


class VersionInfo(Schema):
    """One stored version of a department workbook."""

    department = String()
    version = Integer()
    filename = String()
    digest = String()
    size = Integer()
    uploaded_at = String()
    uploaded_by = String()
    errors = Integer()
    warnings = Integer()


class Versions(Schema):
    """The versions of a department."""

    department = String()
    versions = List(Nested(VersionInfo))


class Department(Schema):
    """A department known from the sources or from uploads."""

    code = String()
    workbook = String()
    source = String()
    latest_version = Integer(allow_none=True)


class Departments(Schema):
    """Every department."""

    departments = List(Nested(Department))


class Job(Schema):
    """A run started by the service."""

    id = Integer()
    state = String()
    trigger = String()
    started_by = String()
    exit_code = Integer(allow_none=True)
    started_at = String()
    finished_at = String(allow_none=True)
    seconds = Float(allow_none=True)
    run_id = Integer(allow_none=True)
    error = String()
    summary = Dict(allow_none=True)


class Jobs(Schema):
    """Runs, newest first."""

    runs = List(Nested(Job))


class Metric(Schema):
    """A metric's latest measurement."""

    name = String()
    period = String()
    value = Float(allow_none=True)
    as_of = String(allow_none=True)
    source = String()
    state = String()
    error = String()
    recorded_at = String(allow_none=True)
    detail = List(Dict(), allow_none=True)
    detail_total = Float(allow_none=True)


class MetricItem(Metric):
    """A metric's latest measurement, in the list (its own name keeps the spec's refs apart)."""


class Metrics(Schema):
    """Every metric's latest measurement."""

    metrics = List(Nested(MetricItem))


class TreeQuery(Schema):
    """Which part of the tree."""

    root = String(load_default=None)
    depth = Integer(load_default=1, validate=Range(min=1, max=50))


class Node(Schema):
    """One row of the company tree."""

    id = String()
    kind = String(allow_none=True)
    title = String()
    department = String()
    workbook = String()
    parent = String(allow_none=True)
    progress = Float(allow_none=True)
    status = String(allow_none=True)
    problems = Integer()
    shared = Boolean()
    children = Integer()
    nodes = List(Dict())


class Tree(Schema):
    """A level (or a few) of the company tree from the last run."""

    run_id = Integer(allow_none=True)
    as_of = String(allow_none=True)
    root = String(allow_none=True)
    nodes = List(Nested(Node))


class MetricQuery(Schema):
    """Which period."""

    period = String(load_default=None)


class DryRun(Schema):
    """``?dry_run=1`` checks without storing."""

    dry_run = Boolean(load_default=False)
