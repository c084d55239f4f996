"""The sync service: ``create_app(workspace)``, one blueprint per area, JSON under /api/v1.

Run it with ``okr serve`` (waitress) or under gunicorn
(``gunicorn 'sync.service.wsgi:app'``). Every error is
``{"error": {"code", "message"}}`` (``sync.service.errors``); who may call
what is ``sync.service.auth``.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from apiflask import APIFlask
from sqlalchemy import Engine

from sync.config import Workspace, load_config
from sync.secrets import resolve_secrets
from sync.service.auth import RateLimiter, install_cors
from sync.service.errors import install as install_errors
from sync.service.sessions import DashboardSessions
from sync.service.settings import ServiceSettings, service_settings

API = "/api/v1"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}


@dataclass
class Service:
    """What the routes share: the workspace, its settings, the store, the limiter, the runs."""

    ws: Workspace
    settings: ServiceSettings
    limiter: RateLimiter
    _engine: Engine | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        """The store's engine, opened on first use (``ServiceError`` while unreachable)."""
        if self._engine is None:
            from sync.store.engine import open_store

            with self._lock:
                if self._engine is None:
                    engine = open_store(self.ws.store_url)
                    # Runs left "running" by a service that died with them end as failed.
                    from sync.store.jobs import fail_orphans

                    fail_orphans(engine)
                    self._engine = engine
        return self._engine


def create_app(workspace: Workspace | str | None = None, test_config: dict | None = None):
    """The Flask app serving workspace *workspace* (a Workspace, an okr.toml path, or None).

    *test_config* overrides Flask settings (``TESTING``) and the service's
    (``OKR_CLOCK`` for the rate limiter).
    """
    ws = workspace if isinstance(workspace, Workspace) else load_config(workspace)
    settings = service_settings(ws)
    app = APIFlask(
        __name__,
        title="okr-sheets",
        version=_version(),
        spec_path=f"{API}/openapi.json",
        docs_path=None,
        static_folder="static",
        static_url_path="/static",
    )
    app.config.update(
        SECRET_KEY=resolve_secrets(settings.secret_key) or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,  # room for multipart framing
        SECURITY_SCHEMES={"BearerAuth": {"type": "http", "scheme": "bearer"}},
        HTTP_ERROR_SCHEMA=ERROR_SCHEMA,
        VALIDATION_ERROR_SCHEMA=ERROR_SCHEMA,
        VALIDATION_ERROR_STATUS_CODE=400,
        AUTO_404_RESPONSE=False,
        JSON_SORT_KEYS=False,
    )
    app.config.update(test_config or {})
    app.session_interface = DashboardSessions()
    clock = app.config.get("OKR_CLOCK")
    limiter = RateLimiter(settings.rate_limit, clock) if clock else RateLimiter(settings.rate_limit)
    app.extensions["okr"] = Service(ws, settings, limiter)
    install_errors(app)
    install_cors(app, settings.cors_origins)

    from sync.service import check, dashboard, departments, functions, health, metrics, runs, tree

    for module in (health, functions, check, departments, metrics, runs, tree):
        app.register_blueprint(module.bp, url_prefix=API)
    app.register_blueprint(health.root)
    app.register_blueprint(dashboard.bp)
    from sync.service.addin_files import register as register_addins

    register_addins(app, API)

    @app.spec_processor
    def _common_answers(spec: dict) -> dict:
        # Answers any secured route may give, documented once here.
        for operations in spec.get("paths", {}).values():
            for op in operations.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                extra = {503: "the store is unreachable"}
                if op.get("security"):
                    extra |= {
                        401: "no token, or a bad or revoked one",
                        403: "outside the token's scope",
                        429: "over the token's rate limit (see Retry-After)",
                    }
                for status, text in extra.items():
                    op["responses"].setdefault(
                        str(status),
                        {
                            "description": text,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/HTTPError"}
                                }
                            },
                        },
                    )
        return spec

    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("okr-sheets")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"
