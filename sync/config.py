"""The workspace file ``okr.toml``: organisation, store, sources, output, metrics.

Defaults make a fresh clone work with nothing configured: a SQLite store in
``.okr/`` of the workspace and the bundled example organisation. Secrets are
written as ``${ENV_VAR}`` and resolved only when a connection is opened.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okr.periods import parse_period
from okr.schema import LANGUAGES
from okr.settings import Settings
from sync.errors import ConfigError

CONFIG_NAME = "okr.toml"
_TOP_KEYS = {
    "organisation",
    "departments",
    "store",
    "sources",
    "output",
    "settings",
    "connections",
    "metrics",
    "google",
    "service",
    "schedule",
    "mail",
}
#: The keys each plain section takes; every command validates the file against these.
SECTION_KEYS: dict[str, set[str]] = {
    "organisation": {"name", "period", "decimal", "lang"},
    "store": {"url"},
    "output": {"path", "keep", "google_sheet"},
    "google": {
        "credentials",
        "folder_id",
        "share_with",
        "api_root",
        "timeout",
        "requests_per_minute",
    },
}
#: ``[[sources]]`` kinds (``sync.sources.KINDS``) and the keys each takes besides ``kind``.
SOURCE_KINDS: dict[str, set[str]] = {
    "folder": {"path", "glob"},
    "gsheet": {"path", "ids", "folder_id"},
    "uploads": {"path"},
}


def did_you_mean(word: str, known: set[str] | list[str]) -> str:
    """``; did you mean `x`?`` for a near miss of *word* among *known*, else ''."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def _unknown(keys: object, known: set[str], where: str, section: str) -> None:
    for key in sorted(set(keys) - known):  # type: ignore[arg-type]
        raise ConfigError(
            f"{where}: unknown key `{key}` in {section}{did_you_mean(key, known)} "
            f"(known: {', '.join(sorted(known))})"
        )


@dataclass(frozen=True)
class Source:
    """Where department workbooks come from: a folder or glob of .xlsx files, or a Google Sheet."""

    kind: str
    path: str = ""
    glob: str = "*.xlsx"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Workspace:
    """Everything ``okr.toml`` says, with paths resolved against its folder."""

    root: Path
    organisation: str = "Example organisation"
    period: str = ""
    #: the decimal mark of numbers typed as text: ".", "," or None (only unambiguous text)
    decimal: str | None = None
    #: the language of the company workbook's sheet names and headings: "en" or "zh-CN"
    lang: str = "en"
    #: department code -> the name people read (``[departments.CODE] name``)
    departments: dict[str, str] = field(default_factory=dict)
    store_url: str = ""
    sources: tuple[Source, ...] = ()
    output: Path = Path("company.xlsx")
    keep_copies: int = 14
    settings: Settings = field(default_factory=Settings)
    connections: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None
    #: the [google] table as written (see sync.gsheets.client.GoogleConfig)
    google: dict[str, Any] = field(default_factory=dict)
    #: [output] google_sheet: a Google Sheet the company view is also published to
    google_sheet: str = ""
    #: the raw [service] and [schedule] tables (sync.service.settings reads them)
    service: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, Any] = field(default_factory=dict)
    #: ``[mail]``: SMTP settings of ``okr remind`` (checked by ``sync.mail``)
    mail: dict[str, Any] = field(default_factory=dict)

    def resolve(self, value: str | Path) -> Path:
        """A path from the file, relative to the workspace folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.root / p


def default_store_url(root: Path) -> str:
    """The embedded default store: SQLite in ``.okr/okr.db`` under *root*."""
    return f"sqlite:///{(root / '.okr' / 'okr.db').as_posix()}"


def load_config(path: str | Path | None = None) -> Workspace:
    """Read *path* (or ``./okr.toml`` when present) into a Workspace; defaults otherwise.

    Raises ``ConfigError`` with the file, the key and the fix for anything wrong.
    """
    if path is None:
        candidate = Path.cwd() / CONFIG_NAME
        if not candidate.exists():
            root = Path.cwd()
            return Workspace(root=root, store_url=default_store_url(root))
        path = candidate
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file; create it or drop --config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the line it names") from None
    return parse_config(data, path.resolve().parent, path)


def parse_config(data: dict[str, Any], root: Path, path: Path | None = None) -> Workspace:
    """Build a Workspace from parsed TOML *data*; *root* anchors relative paths."""
    where = str(path or CONFIG_NAME)
    for key in sorted(set(data) - _TOP_KEYS):
        raise ConfigError(
            f"{where}: unknown section [{key}]{did_you_mean(key, _TOP_KEYS)}; see the README"
        )
    org = _table(data, "organisation", where)
    store = _table(data, "store", where)
    output = _table(data, "output", where)
    for section, known in SECTION_KEYS.items():
        if section == "google":
            continue  # check_google below
        _unknown(_table(data, section, where), known, where, f"[{section}]")
    period = org.get("period", "")
    if period and parse_period(str(period)) is None:
        raise ConfigError(
            f"{where}: [organisation] period is {period!r}: use 2026, 2026-H2, 2026-Q4 or 2026-11"
        )
    _unknown(
        _table(data, "settings", where),
        {s for s in Settings.__dataclass_fields__},
        where,
        "[settings]",
    )
    sources = []
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{where}: sources must be written [[sources]], one table per source")
    for i, src in enumerate(raw_sources):
        kinds = ", ".join(sorted(SOURCE_KINDS))
        if not isinstance(src, dict) or "kind" not in src:
            raise ConfigError(f"{where}: [[sources]] #{i + 1} needs a kind ({kinds})")
        kind = str(src["kind"])
        if kind not in SOURCE_KINDS:
            raise ConfigError(
                f"{where}: [[sources]] #{i + 1} kind {kind!r} is unknown"
                f"{did_you_mean(kind, SOURCE_KINDS)} (known: {kinds})"
            )
        _unknown(set(src) - {"kind"}, SOURCE_KINDS[kind], where, f"[[sources]] #{i + 1}")
        rest = {k: v for k, v in src.items() if k not in ("kind", "path", "glob")}
        sources.append(
            Source(src["kind"], str(src.get("path", "")), str(src.get("glob", "*.xlsx")), rest)
        )
    try:
        settings = Settings.from_mapping(_table(data, "settings", where))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: [settings]: {exc}") from None
    connections = _table(data, "connections", where)
    metrics = _table(data, "metrics", where)
    for name, metric in metrics.items():
        if not isinstance(metric, dict):
            raise ConfigError(f"{where}: [metrics.{name}] must be a table")
        conn = metric.get("connection")
        if conn not in connections:
            raise ConfigError(
                f"{where}: [metrics.{name}] names connection {conn!r}, which is not a "
                "[connections.*] table: add it or fix the name"
            )
    departments = {}
    for code, table in _table(data, "departments", where).items():
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            raise ConfigError(f'{where}: [departments.{code}] needs name = "..."')
        _unknown(table, {"name"}, where, f"[departments.{code}]")
        departments[str(code)] = table["name"]
    check_google(_table(data, "google", where), where)
    decimal = org.get("decimal")
    if decimal is not None and decimal not in (".", ","):
        raise ConfigError(
            f'{where}: [organisation] decimal is {decimal!r}: use "." (12.5) or "," (12,5)'
        )
    lang = org.get("lang", "en")
    if lang not in LANGUAGES:
        raise ConfigError(
            f"{where}: [organisation] lang is {lang!r}: use {' or '.join(map(repr, LANGUAGES))}"
            f"{did_you_mean(str(lang), LANGUAGES)}"
        )
    return Workspace(
        root=root,
        organisation=str(org.get("name", "Example organisation")),
        decimal=decimal,
        lang=lang,
        departments=departments,
        period=str(org.get("period", "")),
        store_url=str(store.get("url") or default_store_url(root)),
        sources=tuple(sources),
        output=(root / output.get("path", "company.xlsx")),
        keep_copies=int(output.get("keep", 14)),
        settings=settings,
        connections=connections,
        metrics=metrics,
        path=path,
        google=_table(data, "google", where),
        google_sheet=str(output.get("google_sheet", "")),
        service=_table(data, "service", where),
        schedule=_table(data, "schedule", where),
        mail=_table(data, "mail", where),
    )


def check_google(google: dict[str, Any], where: str) -> None:
    """Check ``[google]`` (its keys, and the values checkable without connecting)."""
    _unknown(google, SECTION_KEYS["google"], where, "[google]")
    rate = google.get("requests_per_minute", 60)
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 1:
        raise ConfigError(
            f"{where}: [google] requests_per_minute is {rate!r}: use a whole number of at "
            "least 1 (Google's quota is 60 a minute per user, 300 per project)"
        )
    timeout = google.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"{where}: [google] timeout is {timeout!r}: use a number of seconds")


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value
