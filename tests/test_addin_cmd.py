"""``okr addin office`` and ``okr addin gsheets``: the files an admin deploys."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from addin import files_of
from sync.cli import main as okr

NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
}
URL = "https://okr.example.com"


def _manifest(tmp_path: Path, url: str = URL, name: str = "manifest.xml") -> ET.Element:
    out = tmp_path / name
    assert okr(["addin", "office", "--url", url, "-o", str(out)]) == 0
    return ET.parse(out).getroot()


def test_the_manifest_is_well_formed_and_uses_the_shared_runtime(tmp_path):
    root = _manifest(tmp_path)
    assert root.tag == f"{{{NS['o']}}}OfficeApp"
    runtime = root.find(".//v:Runtimes/v:Runtime", NS)
    assert runtime is not None and runtime.get("lifetime") == "long"
    assert runtime.get("resid") == "Taskpane.Url"
    sets = [s.get("Name") for s in root.findall("o:Requirements/o:Sets/o:Set", NS)]
    assert sets == ["SharedRuntime"]
    page = root.find(".//v:ExtensionPoint/v:Page/v:SourceLocation", NS)
    assert page is not None and page.get("resid") == "Taskpane.Url"
    names = {s.get("id"): s.get("DefaultValue") for s in root.iter(f"{{{NS['bt']}}}String")}
    assert names["Functions.Namespace"] == "OKR"


def test_every_url_points_at_the_served_add_in_files(tmp_path):
    root = _manifest(tmp_path, URL + "/")
    urls = {e.get("id"): e.get("DefaultValue") for e in root.iter(f"{{{NS['bt']}}}Url")}
    assert urls == {
        "Functions.Script.Url": f"{URL}/addin/office/functions.js",
        "Functions.Metadata.Url": f"{URL}/addin/office/functions.json",
        "Taskpane.Url": f"{URL}/addin/office/taskpane.html",
        "Support.Url": f"{URL}/",
    }
    images = {e.get("DefaultValue") for e in root.iter(f"{{{NS['bt']}}}Image") if e.get("id")}
    icons = {
        root.find(f"o:{tag}", NS).get("DefaultValue")
        for tag in ("IconUrl", "HighResolutionIconUrl")
    }
    for url in images | icons:
        assert url.startswith(f"{URL}/addin/office/assets/icon-")
        assert (files_of("office") / "assets" / url.rsplit("/", 1)[-1]).is_file()
    assert [d.text for d in root.findall("o:AppDomains/o:AppDomain", NS)] == [URL]
    default = root.find("o:DefaultSettings/o:SourceLocation", NS)
    assert default.get("DefaultValue") == f"{URL}/addin/office/taskpane.html"


def test_a_service_under_a_path_keeps_the_path(tmp_path):
    root = _manifest(tmp_path, "https://intranet.example.com/okr")
    urls = {e.get("id"): e.get("DefaultValue") for e in root.iter(f"{{{NS['bt']}}}Url")}
    assert urls["Taskpane.Url"] == "https://intranet.example.com/okr/addin/office/taskpane.html"
    assert root.find("o:AppDomains/o:AppDomain", NS).text == "https://intranet.example.com"


def test_the_add_in_id_is_the_same_for_the_same_url_and_differs_for_another(tmp_path):
    ids = [
        _manifest(tmp_path, url, f"{i}.xml").find("o:Id", NS).text
        for i, url in enumerate([URL, URL + "/", "https://other.example.com"])
    ]
    assert ids[0] == ids[1] != ids[2]


def test_http_is_accepted_for_this_machine_only(tmp_path):
    root = _manifest(tmp_path, "http://127.0.0.1:8750")
    assert root.find("o:AppDomains/o:AppDomain", NS).text == "http://127.0.0.1:8750"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://okr.example.com", "Office loads add-ins only over https"),
        ("okr.example.com", "is not a URL"),
        ("ftp://okr.example.com", "is not a URL"),
        ("https://okr.example.com/?x=1", "query or fragment"),
    ],
)
def test_a_url_office_cannot_use_is_refused_with_the_fix(tmp_path, capsys, url, message):
    out = tmp_path / "manifest.xml"
    assert okr(["addin", "office", "--url", url, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_an_unwritable_output_is_one_line_and_leaves_nothing(tmp_path, capsys):
    out = tmp_path / "missing" / "manifest.xml"
    assert okr(["addin", "office", "--url", URL, "-o", str(out)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not out.parent.exists()


def test_the_manifest_goes_to_manifest_xml_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert okr(["addin", "office", "--url", URL]) == 0
    ET.parse(tmp_path / "manifest.xml")


def test_gsheets_writes_the_script_with_the_service_url(tmp_path):
    out = tmp_path / "script"
    assert okr(["addin", "gsheets", "--url", URL + "/", "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".clasp.json", "Code.gs", "appsscript.json"]
    code = (out / "Code.gs").read_text(encoding="utf-8")
    assert f'var OKR_SERVICE_URL = "{URL}";' in code
    shipped = (files_of("gsheets") / "Code.gs").read_text(encoding="utf-8")
    assert code.replace(f'"{URL}"', '""', 1) == shipped
    manifest = json.loads((out / "appsscript.json").read_text(encoding="utf-8"))
    assert manifest["runtimeVersion"] == "V8"
    assert "https://www.googleapis.com/auth/script.external_request" in manifest["oauthScopes"]
    assert json.loads((out / ".clasp.json").read_text(encoding="utf-8"))["rootDir"] == "."


def test_gsheets_without_a_url_leaves_it_to_connect_and_keeps_the_admins_clasp_file(tmp_path):
    out = tmp_path / "script"
    out.mkdir()
    (out / ".clasp.json").write_text('{"scriptId": "abc123"}', encoding="utf-8")
    assert okr(["addin", "gsheets", "-o", str(out)]) == 0
    assert 'var OKR_SERVICE_URL = "";' in (out / "Code.gs").read_text(encoding="utf-8")
    assert json.loads((out / ".clasp.json").read_text(encoding="utf-8")) == {"scriptId": "abc123"}


def test_gsheets_refuses_a_bad_url(tmp_path, capsys):
    assert okr(["addin", "gsheets", "--url", "nope", "-o", str(tmp_path / "s")]) == 2
    assert "is not a URL" in capsys.readouterr().err
