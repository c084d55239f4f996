"""``POST /functions/<NAME>`` and ``POST /functions:batch``: the UDFs over HTTP.

The same ``okr.functions`` the xlwings UDFs call, so the results are equal
to the last bit. Arguments are scalars or 2-D arrays (rows of cells) and
broadcast; a whole column is one call. A cell that cannot be computed holds
``{"error": {"code", "message"}}`` in the result; a call that cannot be made
at all answers 400 naming the argument (in a batch: that call's entry).
"""

from __future__ import annotations

from collections.abc import Sequence

from apiflask import APIBlueprint
from flask import Response, current_app, jsonify

from okr import functions
from okr.functions import ArgumentError, CellError
from sync.metrics.lookup import engine_lookup
from sync.service.auth import require
from sync.service.errors import ApiError, error_body
from sync.service.schemas import Batch, BatchResults, FunctionCall, FunctionResult

bp = APIBlueprint("functions", __name__, tag="functions")

#: Calls one batch may carry.
MAX_CALLS = 10_000


def _lookup():
    return engine_lookup(current_app.extensions["okr"].engine)


def evaluate(name: str, args: Sequence[object]) -> object:
    """The JSON result of function *name*; ``ApiError`` 404 / 400 when it cannot be called."""
    if name.upper() not in functions.FUNCTIONS:
        known = ", ".join(functions.FUNCTIONS)
        raise ApiError(404, f"no function {name!r}; the functions are {known}", "unknown-function")
    lookup = _lookup() if name.upper() == "OKR_METRIC" else None
    try:
        result = functions.call(
            name, args, lookup=lookup, decimal=current_app.extensions["okr"].ws.decimal
        )
    except ArgumentError as exc:
        raise ApiError(400, f"{name.upper()}: {exc}", "bad-argument") from None
    if isinstance(result, CellError):
        raise ApiError(400, f"{name.upper()}: {result.message}", result.code)
    return functions.result_json(result)


@bp.post("/functions/<string:name>")
@require("any")
@bp.input(FunctionCall, arg_name="call")
@bp.output(FunctionResult)
@bp.doc(security="BearerAuth", responses={400: "a bad argument", 404: "no such function"})
def call_one(name: str, call: dict):
    """Call one spreadsheet function (OKR_PROGRESS, OKR_STATUS, OKR_CHECK, OKR_METRIC)."""
    return _answer({"result": evaluate(name, call["args"])})


@bp.post("/functions:batch")
@require("any")
@bp.input(Batch, arg_name="batch")
@bp.output(BatchResults)
@bp.doc(security="BearerAuth", responses={400: "not a batch"})
def call_batch(batch: dict):
    """Many calls in one request; one bad call never fails the others."""
    calls = batch["calls"]
    if len(calls) > MAX_CALLS:
        raise ApiError(400, f"{len(calls)} calls in one batch; send at most {MAX_CALLS}")
    results = []
    for call in calls:
        try:
            results.append({"result": evaluate(call["function"], call["args"])})
        except ApiError as exc:
            results.append(error_body(exc.status, exc.message, exc.code))
    return _answer({"results": results})


def _answer(body: dict) -> Response:
    # Already the shape the output schema documents (its fields are Raw): dumping it
    # through marshmallow again would copy every cell of a big range for nothing.
    return jsonify(body)
