"""The dashboard at ``/``: server-rendered pages over the last run, for leadership.

Log in with a token through a form (CSRF-protected); the session cookie is
HttpOnly, SameSite=Strict, and Secure with ``[service] secure_cookies``. The
tree opens a level at a time (``/dashboard/children``), so a 50,000-row
organisation opens at once. No build step: Jinja templates, one CSS and one
small JS file, served from this package.
"""

from __future__ import annotations

import hmac
import io
import secrets
from functools import wraps

from apiflask import APIBlueprint
from flask import (
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException

from sync.errors import ServiceError
from sync.service import queries
from sync.service.auth import Principal, authenticate
from sync.service.charts import compact, line_chart
from sync.service.errors import ApiError
from sync.service.labels import pick
from sync.service.pages import freshness, item_page, who_needs_to_update
from sync.store import tokens as token_store

bp = APIBlueprint("dashboard", __name__, enable_openapi=False, template_folder="templates")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"


@bp.app_template_filter("num")
def number(value: object) -> str:
    """A number as people read it: 1,252,500 or 34.2; anything else as text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}"


@bp.before_request
def _language() -> None:
    g.lang, g.t = pick(request.accept_languages)


@bp.after_request
def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _check_csrf() -> None:
    sent, expected = request.form.get("csrf", ""), session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, "the form expired; reload the page and try again")


def page(view):
    """A dashboard page: a logged-in caller allowed the company view, else the login form."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if "token_digest" not in session:
            return redirect(url_for("dashboard.login", next=request.path))
        try:
            who = authenticate()
        except ApiError as exc:
            if exc.status == 401:
                session.pop("token_digest", None)
                return redirect(url_for("dashboard.login", next=request.path))
            raise
        g.who = who
        return view(*args, **kwargs)

    return wrapped


def _service():
    return current_app.extensions["okr"]


def _scope(who: Principal) -> queries.Scope:
    return queries.Scope.of(who, _service().settings.transparency)


def _render(template: str, **context):
    return render_template(template, t=g.t, lang=g.lang, csrf=csrf_token(), **context)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form: a token in, a session cookie out."""
    error = ""
    if request.method == "POST":
        _check_csrf()
        token = request.form.get("token", "").strip()
        info = token_store.verify(_service().engine, token) if token else None
        if info is not None:
            session.clear()
            session["token_digest"] = token_store.digest(token)
            target = request.args.get("next", "/")
            return redirect(
                target if target.startswith("/") and not target.startswith("//") else "/"
            )
        error = g.t["bad_token"]
    return _render("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """End the session."""
    _check_csrf()
    session.clear()
    return redirect(url_for("dashboard.login"))


@bp.get("/")
@page
def home():
    """The company tree (top level), the last run's summary, who needs to update."""
    engine = _service().engine
    run = queries.last_run(engine)
    nodes, updates = [], []
    if run is not None:
        nodes = queries.tree_level(engine, run.id, None, 1, _scope(g.who))
        updates = who_needs_to_update(queries.problems_of(engine, run.id))
    return _render("home.html", run=run, nodes=nodes, updates=updates)


@bp.get("/dashboard/children")
@page
def children():
    """One level of the tree below ``root``, as rows for the page to insert."""
    engine = _service().engine
    run = queries.last_run(engine)
    root = request.args.get("root", "")
    if run is None or not root:
        return ""
    return _render("rows.html", nodes=queries.tree_level(engine, run.id, root, 1, _scope(g.who)))


@bp.get("/item/<path:item_id>")
@page
def item(item_id: str):
    """A key result's or an objective's page: value, history chart, detail rows, workbook."""
    engine = _service().engine
    run = queries.last_run(engine)
    row = queries.node_row(engine, run.id, item_id) if run else None
    if row is None or not _scope(g.who).allows(row.workbook):
        abort(404, f"no row {item_id} in the last run")
    ws = _service().ws
    info = item_page(
        engine, run.id, row, run.as_of, max_rows=ws.settings.max_rows, decimal=ws.decimal
    )
    runs = [(d, p) for d, p, _ in info.runs if p is not None]
    checkins = [(c.on, c.value, _checkin_title(c)) for c in info.checkins]
    chart = line_chart(
        [(g.t["run_progress"], "runs", runs)],
        info.actions,
        percent=True,
        label=f"{row.id} {g.t['progress']}",
    )
    values = (
        line_chart(
            [
                (g.t["metric_values"], "values", info.values),
                (g.t["checkins"], "checkins", checkins),
            ],
            info.actions,
            label=f"{row.id} {g.t['value']}",
        )
        if info.values or checkins
        else ""
    )
    kids = queries.tree_level(engine, run.id, row.id, 1, _scope(g.who))
    return _render("item.html", run=run, row=row, info=info, chart=chart, values=values, kids=kids)


def _checkin_title(c) -> str:
    """A check-in point's tooltip: day, value, confidence and note (escaped by the chart)."""
    said = f"{c.on:%Y-%m-%d}: {compact(c.value)}"
    if c.confidence is not None:
        said += f", {g.t['confidence']} {c.confidence:.0%}"
    return f"{said} — {c.note}" if c.note else said


@bp.get("/workbook/<path:name>")
@page
def workbook(name: str):
    """A department workbook exactly as the last run read it."""
    engine = _service().engine
    run = queries.last_run(engine)
    data = queries.run_workbook(engine, run.id, name) if run else None
    if data is None or not _scope(g.who).allows(name):
        abort(404, f"the last run kept no workbook {name}")
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=name.replace("/", "-"),
    )


@bp.get("/problems")
@page
def problems():
    """The last run's problems, filterable by department and severity."""
    engine = _service().engine
    run = queries.last_run(engine)
    found = queries.problems_of(engine, run.id) if run else []
    scope = _scope(g.who)
    found = [p for p in found if not p.workbook or scope.allows(p.workbook)]
    departments = sorted({p.workbook for p in found if p.workbook})
    wanted_dept = request.args.get("department", "")
    wanted_sev = request.args.get("severity", "")
    shown = [
        p
        for p in found
        if (not wanted_dept or p.workbook == wanted_dept)
        and (not wanted_sev or p.severity == wanted_sev)
    ]
    return _render(
        "problems.html",
        run=run,
        problems=shown,
        departments=departments,
        names=queries.department_names(engine, run.id) if run else {},
        department=wanted_dept,
        severity=wanted_sev,
    )


@bp.get("/freshness")
@page
def metrics():
    """Every metric's newest value, the failed and stale ones first."""
    service = _service()
    if not g.who.may_read_company(service.settings.transparency):
        abort(403, "this token may read only its own department")
    return _render(
        "metrics.html", metrics=freshness(service.engine, service.ws.settings.stale_days)
    )


@bp.errorhandler(ServiceError)
def _down(exc: ServiceError):
    return _render("error.html", status=503, message=str(exc)), 503


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException):
    return _render("error.html", status=exc.code, message=exc.description), exc.code or 500


@bp.errorhandler(ApiError)
def _refused(exc: ApiError):
    return _render("error.html", status=exc.status, message=exc.message), exc.status
