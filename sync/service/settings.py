"""The service's settings: ``[service]`` and ``[schedule]`` of okr.toml, one table of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.config import Workspace
from sync.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    """One ``[service]`` key: its name, default and what it does (the README lists them)."""

    name: str
    default: Any
    help: str


SERVICE_SETTINGS = (
    Setting("max_upload_mb", 20, "largest workbook an upload may send, in MB (413 above)"),
    Setting("rate_limit", 600, "requests a minute one token may make (429 above); 0: no limit"),
    Setting("cors_origins", [], "origins allowed to call the API from a browser"),
    Setting("transparency", True, "department tokens may read the whole company view"),
    Setting("secure_cookies", False, "mark the dashboard's cookie Secure (behind HTTPS)"),
    Setting("secret_key", "", "signs the dashboard's session cookie; random per start if empty"),
)


@dataclass(frozen=True)
class ServiceSettings:
    """The values in force for one service."""

    max_upload_mb: float = 20
    rate_limit: int = 600
    cors_origins: tuple[str, ...] = ()
    transparency: bool = True
    secure_cookies: bool = False
    secret_key: str = ""
    #: ``HH:MM`` of the nightly run inside ``okr serve``; '' for none
    nightly: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)


def parse_nightly(text: str, where: str = "[schedule] nightly") -> tuple[int, int]:
    """``HH:MM`` as (hour, minute); ``ConfigError`` when it is not a time of day."""
    try:
        hour, minute = (int(x) for x in str(text).split(":"))
    except ValueError:
        raise ConfigError(f'{where} = {text!r}: use HH:MM, e.g. "02:30"') from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ConfigError(f"{where} = {text!r}: use a time between 00:00 and 23:59")
    return hour, minute


def service_settings(ws: Workspace) -> ServiceSettings:
    """The service's settings from workspace *ws*; ``ConfigError`` for a wrong key or value."""
    raw = dict(ws.service)
    known = {s.name for s in SERVICE_SETTINGS}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"[service]: unknown key(s) {', '.join(unknown)}; see the README")
    try:
        out = ServiceSettings(
            max_upload_mb=float(raw.get("max_upload_mb", 20)),
            rate_limit=int(raw.get("rate_limit", 600)),
            cors_origins=tuple(str(o).rstrip("/") for o in raw.get("cors_origins", [])),
            transparency=bool(raw.get("transparency", True)),
            secure_cookies=bool(raw.get("secure_cookies", False)),
            secret_key=str(raw.get("secret_key", "")),
            nightly=str(ws.schedule.get("nightly", "")),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[service]: {exc}; see the README") from None
    if out.nightly:
        parse_nightly(out.nightly)
    return out
