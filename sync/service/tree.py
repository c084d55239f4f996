"""``GET /tree?root=ID&depth=1``: the company tree from the last run, a level at a time."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import current_app

from sync.service.auth import authenticate, require
from sync.service.errors import ApiError
from sync.service.queries import Scope, last_run, node_row, tree_level
from sync.service.schemas import Tree, TreeQuery

bp = APIBlueprint("tree", __name__, tag="tree")


@bp.get("/tree")
@require("any")
@bp.input(TreeQuery, location="query", arg_name="query")
@bp.output(Tree)
@bp.doc(security="BearerAuth")
def tree(query: dict):
    """The rows under ``root`` (the top when absent), ``depth`` levels deep."""
    service = current_app.extensions["okr"]
    run = last_run(service.engine)
    if run is None:
        return {"run_id": None, "as_of": None, "root": query["root"], "nodes": []}
    scope = Scope.of(authenticate(), service.settings.transparency)
    if query["root"] and scope.codes is not None:
        row = node_row(service.engine, run.id, query["root"])
        if row is None or not scope.allows(row.workbook):
            raise ApiError(403, f"{query['root']} is outside this token's departments")
    nodes = tree_level(service.engine, run.id, query["root"], query["depth"], scope)
    return {"run_id": run.id, "as_of": run.as_of.isoformat(), "root": query["root"], "nodes": nodes}
