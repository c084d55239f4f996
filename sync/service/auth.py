"""Who is calling and what they may do: bearer tokens, scopes, rate limit, CORS.

Scopes: ``admin`` (everything), ``reader`` (the dashboard and the read-only
API), ``department:CODE`` (submit and read that department's workbooks, and
the company view unless ``[service] transparency = false``). Every valid
token may call ``/functions`` and ``/check``. The API takes
``Authorization: Bearer <token>``; the dashboard's session cookie works for
reading (GET) only, so a cross-site form can never change anything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import Flask, current_app, g, request, session

from sync.service.errors import ApiError
from sync.store import tokens as token_store

#: How often a token's last-use time is written, at most (seconds).
TOUCH_EVERY = 60.0
#: Seconds a verified token is trusted without asking the store again; a revocation
#: takes effect within this time in every process (it saves a query per request).
TRUST_SECONDS = 2.0


@dataclass(frozen=True)
class Principal:
    """The caller: a token's name and scopes."""

    name: str
    scopes: tuple[str, ...]

    @property
    def admin(self) -> bool:
        """Holds ``admin``."""
        return "admin" in self.scopes

    @property
    def departments(self) -> tuple[str, ...]:
        """The department CODEs of its ``department:CODE`` scopes."""
        return tuple(s.split(":", 1)[1] for s in self.scopes if s.startswith("department:"))

    def may_read_company(self, transparency: bool) -> bool:
        """May read the company view (tree, metrics, runs, the company workbook)."""
        return self.admin or "reader" in self.scopes or bool(transparency and self.departments)

    def may_read(self, code: str) -> bool:
        """May read department *code*'s workbooks."""
        return self.admin or "reader" in self.scopes or code.lower() in self.departments

    def may_submit(self, code: str) -> bool:
        """May submit department *code*'s workbook."""
        return self.admin or code.lower() in self.departments


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _, value = header.partition(" ")
    if kind.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate() -> Principal:
    """The caller of this request; 401 without a valid token (or dashboard session)."""
    if "principal" in g:
        return g.principal
    token = _bearer()
    # The dashboard's session holds the token's digest; it is good for reading only.
    held = session.get("token_digest") if request.method in ("GET", "HEAD") else None
    if not token and not held:
        raise ApiError(
            401,
            "no token: send Authorization: Bearer <token> (okr token add)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    service = current_app.extensions["okr"]
    engine = service.engine
    info = _verified(service, token_store.digest(token) if token else str(held))
    if info is None:
        # Never echo the token: the message is the same for unknown and revoked ones.
        raise ApiError(
            401,
            "the token is not valid (unknown or revoked); ask an admin for one",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    service.limiter.hit(info.name)
    _touch(engine, service.extra.setdefault("touched", {}), info.name)
    g.principal = Principal(info.name, info.scopes)
    return g.principal


def _verified(service, wanted: str) -> token_store.TokenInfo | None:
    """The token with digest *wanted*, from a short-lived cache of good ones or the store."""
    trusted = service.extra.setdefault("trusted", {})
    now = time.monotonic()
    hit = trusted.get(wanted)
    if hit is not None and hit[0] > now:
        return hit[1]
    info = token_store.verify_digest(service.engine, wanted)
    if info is None:
        trusted.pop(wanted, None)
    else:
        trusted[wanted] = (now + TRUST_SECONDS, info)
    return info


def _touch(engine, touched: dict[str, float], name: str) -> None:
    now = time.monotonic()
    if now - touched.get(name, -TOUCH_EVERY) >= TOUCH_EVERY:
        touched[name] = now
        token_store.touch(engine, name, datetime.now())


def forbid(message: str) -> ApiError:
    """A 403 answer."""
    return ApiError(403, message)


def require(check: str = "any") -> Callable:
    """Route decorator: *check* is ``any`` (a valid token), ``read`` (company view) or ``admin``."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            who = authenticate()
            if check == "admin" and not who.admin:
                raise forbid("this needs a token with the admin scope")
            if check == "read":
                transparent = current_app.extensions["okr"].settings.transparency
                if not who.may_read_company(transparent):
                    raise forbid("this token may read only its own department's workbooks")
            return view(*args, **kwargs)

        return wrapped

    return decorate


class RateLimiter:
    """At most *per_minute* requests per token in each minute (0: unlimited), in this process."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        """*clock* is injectable so tests need not wait a minute."""
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, name: str) -> None:
        """Count a request of token *name*; 429 with Retry-After past the limit."""
        if self.per_minute <= 0:
            return
        now = self.clock()
        with self._lock:
            start, count = self._windows.get(name, (now, 0))
            if now - start >= 60:
                start, count = now, 0
            count += 1
            self._windows[name] = (start, count)
        if count > self.per_minute:
            wait = max(1, int(60 - (now - start) + 0.999))
            raise ApiError(
                429,
                f"more than {self.per_minute} requests a minute with this token; "
                f"try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )


def install_cors(app: Flask, origins: tuple[str, ...]) -> None:
    """Answer CORS only for *origins* (exact matches); everyone else gets no CORS headers."""
    allowed = set(origins)

    @app.before_request
    def _preflight():
        if request.method == "OPTIONS" and request.headers.get("Origin"):
            return app.response_class(status=204)
        return None

    @app.after_request
    def _headers(response):
        origin = request.headers.get("Origin", "").rstrip("/")
        response.vary.add("Origin")
        if origin and origin in allowed and request.path.startswith("/api/"):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "600"
        return response
