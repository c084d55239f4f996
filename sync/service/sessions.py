"""The dashboard's session cookie, opened only for requests that may read it.

The API reads the session only for GET and HEAD (a logged-in dashboard
reading JSON); a POST under ``/api/`` (functions, uploads, runs) authenticates
by its bearer token alone, so verifying the signed cookie there is work
thrown away on the busiest routes.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface, SessionMixin


class DashboardSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, skipped (an empty null session) for API writes."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """The request's session; a null one for a non-reading request under ``/api/``."""
        if request.method not in ("GET", "HEAD") and request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)
