"""The add-ins against a live ``okr serve``: the manifest's URLs are served; every surface agrees.

One service (tests/live_service.py) on the example organisation serves the
whole module. The agreement test runs the shared case table
(tests/data/function_cases.json) through the template's formulas
(LibreOffice), the xlwings functions as plain calls, the service's routes,
the Office.js functions and the Apps Script functions (both in Node with
their platform stubs), and asserts that all five give the table's answers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import requests
from python_calamine import CalamineWorkbook

from addin import udfs
from okr.schema import KEYS, LETTER, SHEET, STATUS_INDEX, normalise
from sync.cli import main as okr
from sync.xlsx.template import build_template
from tests.conftest import DATA, ROOT, require
from tests.libreoffice import recalculate, require_libreoffice
from tests.live_service import started

CASES = json.loads((DATA / "function_cases.json").read_text(encoding="utf-8"))
NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
}
ADDIN = ROOT / "addin"


@pytest.fixture(scope="module")
def live() -> Iterator[dict]:
    """A running ``okr serve`` on the example organisation, with its tokens."""
    with started() as info:
        if "unavailable" in info:
            require("OKR_REQUIRE_SERVICE", f"no live okr serve: {info['unavailable']}")
        yield info


def _manifest(tmp_path: Path, url: str) -> ET.Element:
    out = tmp_path / "manifest.xml"
    assert okr(["addin", "office", "--url", url, "-o", str(out)]) == 0
    return ET.parse(out).getroot()


def _urls(root: ET.Element) -> set[str]:
    """Every URL the manifest makes Office load."""
    found = {e.get("DefaultValue", "") for e in root.iter() if e.tag.endswith(("Url", "Image"))}
    found |= {e.get("DefaultValue", "") for e in root.iter() if e.tag.endswith("SourceLocation")}
    return {u for u in found if u.startswith("http")}


# ------------------------------------------------------------------ served files


def test_every_url_in_the_manifest_is_served_with_the_headers_office_needs(live, tmp_path):
    urls = _urls(_manifest(tmp_path, live["url"]))
    files = {u for u in urls if "/addin/office/" in u}
    assert {u.rsplit("/", 1)[-1] for u in files} >= {
        "taskpane.html",
        "functions.js",
        "functions.json",
        "icon-16.png",
        "icon-32.png",
        "icon-64.png",
        "icon-80.png",
    }
    # The rest is the support link: the dashboard at the service's root.
    assert urls - files == {live["url"] + "/"}
    for url in files:
        answer = requests.get(url, timeout=10)
        assert answer.status_code == 200, url
        name = url.rsplit("/", 1)[-1]
        folder = ADDIN / "office" / ("assets" if name.endswith(".png") else "")
        assert answer.content == (folder / name).read_bytes(), url
        assert answer.headers["Cache-Control"] == "no-cache"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        kind = {"html": "text/html", "js": "text/javascript", "json": "application/json"}
        want = kind.get(name.rsplit(".", 1)[-1], "image/png")
        assert answer.headers["Content-Type"].startswith(want), url
        cross = answer.headers.get("Access-Control-Allow-Origin")
        assert cross == ("*" if name.endswith((".js", ".json")) else None), url


@pytest.mark.parametrize(
    "path",
    ["manifest.template.xml", "nothing.js", "../../pyproject.toml", "%2e%2e/udfs.py", "assets"],
)
def test_only_the_add_in_files_are_served(live, path):
    answer = requests.get(f"{live['url']}/addin/office/{path}", timeout=10)
    assert answer.status_code == 404


def test_the_served_task_pane_loads_the_functions_it_shares_the_runtime_with(live):
    page = requests.get(f"{live['url']}/addin/office/taskpane.html", timeout=10).text
    assert '<script src="functions.js"></script>' in page
    assert '<script src="taskpane.js"></script>' in page
    assert requests.get(f"{live['url']}/addin/office/taskpane.js", timeout=10).status_code == 200


# ------------------------------------------------------------- one answer everywhere


def _template_surface(tmp_path: Path) -> dict:
    """Progress and Status of every case as the template's own formulas compute them."""
    require_libreoffice()
    template = build_template(tmp_path / "template.xlsx", lang="en")
    wb = openpyxl.load_workbook(template)
    ws = wb[SHEET]
    keys = ("id", "type", "parent", "period", "direction", "baseline", "target", "current")
    rows = [("CASE-O1", "Objective", None, "2026", None, None, None, None)]
    rows += [
        (k["id"], "Key Result", "CASE-O1", *(k[f] for f in keys[3:])) for k in CASES["key_results"]
    ]
    for r, values in enumerate(rows, start=2):
        cells = dict(zip(keys, values, strict=True)) | {"title": "Case", "owner": "ana"}
        for key, value in cells.items():
            if value is not None:
                ws[f"{LETTER[key]}{r}"] = value
    sheet, cell = next(iter(wb.defined_names["AsOfDate"].destinations))
    wb[sheet][cell.replace("$", "")] = date.fromisoformat(CASES["as_of"])
    wb.save(tmp_path / "filled.xlsx")
    out = recalculate(tmp_path / "filled.xlsx", tmp_path / "out")
    grid = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(SHEET).to_python()
    q, s = KEYS.index("progress"), KEYS.index("status")
    by_id = {row[0]: row for row in grid if row}
    kr = [by_id[k["id"]] for k in CASES["key_results"]]
    return {
        "progress": [row[q] for row in kr],
        "status": [STATUS_INDEX[normalise(row[s])] for row in kr],
    }


def _xlwings_surface(config: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The xlwings functions called as plain Python functions."""
    krs = CASES["key_results"]
    out = {
        "progress": [
            udfs.OKR_PROGRESS(k["direction"], k["baseline"], k["target"], k["current"]) for k in krs
        ],
        "status": [udfs.OKR_STATUS(k["progress"], k["period"], CASES["as_of"]) for k in krs],
        "checks": [udfs.OKR_CHECK(c["rows"], c["parents"] or None) for c in CASES["checks"]],
    }
    # OKR_METRIC reads the store of the workspace directly (no OKR_SERVICE_URL).
    monkeypatch.setenv("OKR_CONFIG", config)
    monkeypatch.delenv("OKR_SERVICE_URL", raising=False)

    def one(m: dict) -> object:
        try:
            return udfs.OKR_METRIC(m["name"], m["period"])
        except ValueError:
            return "error"

    out["metrics"] = [one(m) for m in CASES["metrics"]]
    return out


def _service_surface(url: str, token: str) -> dict:
    """The service's function routes, one request per case."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def call(name: str, *args: object) -> object:
        answer = session.post(f"{url}/api/v1/functions/{name}", json={"args": list(args)})
        return answer.json()["result"] if answer.status_code == 200 else "error"

    krs = CASES["key_results"]
    return {
        "progress": [
            call("OKR_PROGRESS", k["direction"], k["baseline"], k["target"], k["current"])
            for k in krs
        ],
        "status": [call("OKR_STATUS", k["progress"], k["period"], CASES["as_of"]) for k in krs],
        "checks": [
            call("OKR_CHECK", c["rows"], [[p] for p in c["parents"]] or None)
            for c in CASES["checks"]
        ],
        "metrics": [call("OKR_METRIC", m["name"], m["period"]) for m in CASES["metrics"]],
    }


def _node_surface(surface: str, url: str, token: str) -> dict:
    """The Office.js or Apps Script functions in Node, with their platform stubs."""
    node = shutil.which("node")
    if node is None:
        require("OKR_REQUIRE_SERVICE", "node is not installed (Node 20 runs the add-ins' tests)")
    script = ADDIN / "tests" / "run_cases.js"
    cases = DATA / "function_cases.json"
    done = subprocess.run(
        [node, str(script), surface, url, token, str(cases)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_surface_gives_the_same_answer_for_every_case(live, tmp_path, monkeypatch):
    token = live["tokens"]["sales"]
    surfaces = {
        "template formulas (LibreOffice)": _template_surface(tmp_path),
        "xlwings functions": _xlwings_surface(live["config"], monkeypatch),
        "service": _service_surface(live["url"], token),
        "Office.js": _node_surface("office", live["url"], token),
        "Apps Script": _node_surface("gsheets", live["url"], token),
    }
    expected = {
        "progress": [k["progress"] for k in CASES["key_results"]],
        "status": [k["status"] for k in CASES["key_results"]],
        "checks": [c["expected"] for c in CASES["checks"]],
    }
    for name, answers in surfaces.items():
        for part, want in expected.items():
            if part not in answers:
                continue
            if name.startswith("template") and part == "progress":
                # The sheet's own arithmetic, read back from LibreOffice's file.
                assert answers[part] == pytest.approx(want, abs=1e-12), f"{name}: {part}"
            else:
                assert answers[part] == want, f"{name}: {part}"
    metrics = {name: s["metrics"] for name, s in surfaces.items() if "metrics" in s}
    assert len(metrics) == 4  # every surface but the template, which has no metric function
    reference = metrics["service"]
    assert isinstance(reference[0], float) and reference[0] == reference[1]
    assert reference[2] == "error"
    for name, answers in metrics.items():
        assert answers == reference, f"{name}: metrics"
