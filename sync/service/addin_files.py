"""``GET /addin/office/<file>``: the Excel add-in's own files, served by the service itself.

Serving them from the service's origin keeps the add-in's calls to
``/api/v1`` same-origin (no CORS in the shared runtime). No token is needed:
the files are the same for everyone and hold no data. Headers are those
Office needs: the right Content-Type, ``Cache-Control: no-cache`` so Excel
picks up a new ``functions.json`` instead of registering stale functions,
and ``Access-Control-Allow-Origin: *`` on the metadata and script, which
Excel on the web fetches from its own origin.
"""

from __future__ import annotations

from pathlib import Path

from apiflask import APIBlueprint
from flask import Flask, abort, send_from_directory

from addin import OFFICE_PATH, files_of

bp = APIBlueprint("addin_files", __name__, enable_openapi=False)

#: What may be served, by suffix, with its Content-Type; anything else is 404.
SERVED = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
}
#: Files of the folder that are not part of the running add-in.
_PRIVATE = {"manifest.template.xml"}
_CROSS_ORIGIN = {".js", ".json"}


def _folder() -> Path:
    return files_of("office")


@bp.get(f"{OFFICE_PATH}/<path:name>")
def office_file(name: str):
    """One file of the Office.js add-in (taskpane.html, functions.js, functions.json, icons)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SERVED or Path(name).name in _PRIVATE or name.startswith("."):
        abort(404)
    response = send_from_directory(_folder(), name, max_age=0, conditional=True)
    response.headers["Content-Type"] = SERVED[suffix]
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if suffix in _CROSS_ORIGIN:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def register(app: Flask, api: str) -> None:
    """Register the add-ins' routes: these files, and the Apps Script's rows submission."""
    from sync.service.addin_rows import bp as rows

    app.register_blueprint(bp)
    app.register_blueprint(rows, url_prefix=api)
