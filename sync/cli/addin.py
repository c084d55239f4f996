"""``okr addin office|gsheets``: the files an admin deploys to put the OKR functions in a sheet.

``office`` writes the Excel add-in's XML manifest for the URL the service is
reached at (the service serves the add-in's own files under ``/addin/office/``);
``gsheets`` writes the Apps Script project (``Code.gs``, ``appsscript.json``
and a ``.clasp.json`` template) with the service URL filled in.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from string import Template
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import click

from addin import OFFICE_PATH, files_of
from sync.errors import OkrError
from sync.xlsx.atomic import write_atomic

#: The add-in's version in the manifest; raise it when the manifest changes.
MANIFEST_VERSION = "1.0.0.0"
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
_SERVICE_URL_LINE = re.compile(r'^var OKR_SERVICE_URL = "";$', re.MULTILINE)


def service_base(url: str) -> str:
    """*url* checked and without a trailing slash; ``OkrError`` saying how to fix it.

    Office loads add-ins only over HTTPS; plain HTTP is accepted for this
    machine alone (localhost), for trying the add-in out.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OkrError(
            f"--url {url!r} is not a URL: give the service's, e.g. https://okr.example.com"
        )
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        raise OkrError(
            f"--url {url!r} uses http: Office loads add-ins only over https "
            "(put the service behind a reverse proxy with HTTPS)"
        )
    if parts.query or parts.fragment:
        raise OkrError(f"--url {url!r} has a query or fragment: give the service's base URL")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def office_manifest(url: str) -> str:
    """The XML manifest of the Excel add-in served by the service at *url*.

    The add-in's Id is derived from the URL, so writing the manifest again for
    the same service updates the deployed add-in instead of adding a second.
    """
    base = service_base(url)
    parts = urlsplit(base)
    template = Template((files_of("office") / "manifest.template.xml").read_text("utf-8"))
    return template.substitute(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, base + OFFICE_PATH)),
        version=MANIFEST_VERSION,
        base=escape(base, {'"': "&quot;"}),
        files=escape(base + OFFICE_PATH, {'"': "&quot;"}),
        origin=escape(f"{parts.scheme}://{parts.netloc}"),
    )


def apps_script_files(url: str | None) -> dict[str, str]:
    """The Apps Script project's files: name -> text, with *url* as the default service URL."""
    folder = files_of("gsheets")
    code = (folder / "Code.gs").read_text("utf-8")
    if url:
        line = f"var OKR_SERVICE_URL = {json.dumps(service_base(url))};"
        code = _SERVICE_URL_LINE.sub(lambda _: line, code, count=1)
    clasp = {"scriptId": "PASTE-THE-SCRIPT-ID-FROM-PROJECT-SETTINGS", "rootDir": "."}
    return {
        "Code.gs": code,
        "appsscript.json": (folder / "appsscript.json").read_text("utf-8"),
        ".clasp.json": json.dumps(clasp, indent=2) + "\n",
    }


@click.group("addin")
def addin() -> None:
    """The OKR functions in Excel (Office.js add-in) and Google Sheets (Apps Script)."""


@addin.command("office")
@click.option("--url", required=True, metavar="URL", help="Where users reach okr serve (https).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("manifest.xml"),
    show_default=True,
    help="Where to write the manifest.",
)
def office(url: str, output: Path) -> int:
    """Write the Excel add-in's manifest for the service at URL.

    \b
    Example:
        okr addin office --url https://okr.example.com -o manifest.xml
    Deploy it in the Microsoft 365 admin center (Integrated apps) or sideload it.
    """
    text = office_manifest(url)
    _write(output, text.encode("utf-8"))
    click.echo(f"wrote {output} (add-in files at {service_base(url)}{OFFICE_PATH}/)")
    return 0


@addin.command("gsheets")
@click.option("--url", metavar="URL", help="Where users reach okr serve; else asked in Connect.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("okr-apps-script"),
    show_default=True,
    help="Folder to write Code.gs, appsscript.json and .clasp.json into.",
)
def gsheets(url: str | None, output: Path) -> int:
    """Write the Apps Script project for Google Sheets.

    \b
    Example:
        okr addin gsheets --url https://okr.example.com -o okr-apps-script
    Paste Code.gs into Extensions > Apps Script, or put the script's ID in
    .clasp.json and run clasp push in the folder.
    """
    written = apps_script_files(url)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OkrError(f"cannot create folder {output}: {exc.strerror}") from None
    for name, text in written.items():
        target = output / name
        if name == ".clasp.json" and target.exists():
            continue  # it holds the admin's script ID by now
        _write(target, text.encode("utf-8"))
    click.echo(f"wrote {', '.join(written)} in {output}")
    return 0


def _write(path: Path, data: bytes) -> None:
    """Write *data* to *path* atomically (readers see the old file or the new one)."""
    write_atomic(path, lambda tmp: Path(tmp).write_bytes(data))
