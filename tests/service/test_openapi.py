"""The OpenAPI document lists every route and validates; schemathesis finds no 5xx."""

from __future__ import annotations

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error

from tests.service.conftest import bearer

SPEC = "/api/v1/openapi.json"


def test_the_document_validates_and_lists_every_route(app, client):
    spec = client.get(SPEC).json
    validate(spec)
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == SPEC:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented
    assert spec["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def test_every_secured_operation_documents_401_and_403(client):
    spec = client.get(SPEC).json
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if op.get("security"):
                assert {"401", "403"} <= set(op["responses"]), (method, path)


def test_no_generated_request_gets_a_server_error(app, tokens):
    """A bounded property-based run over every operation (starting runs aside)."""
    schema = schemathesis.openapi.from_wsgi(SPEC, app)
    # Starting runs spawns a consolidation per example; tests/service/test_runs.py covers it.
    schema = schema.exclude(path="/api/v1/runs", method="POST")
    headers = bearer(tokens["admin"])
    tried = 0
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        run()
        tried += 1
    assert tried >= 13
