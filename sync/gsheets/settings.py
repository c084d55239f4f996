"""The ``[google]`` table of okr.toml as settings of the Google connection."""

from __future__ import annotations

from dataclasses import dataclass

from sync.config import CONFIG_NAME, Workspace, check_google
from sync.gsheets.pace import DEFAULT_PER_MINUTE

#: Seconds to wait for an answer before the try counts as failed.
TIMEOUT = 30.0


@dataclass(frozen=True)
class GoogleConfig:
    """The ``[google]`` table of okr.toml, with ``${ENV}`` references left for ``open``."""

    credentials: str = "${GOOGLE_APPLICATION_CREDENTIALS}"
    folder_id: str = ""
    share_with: tuple[str, ...] = ()
    api_root: str = ""
    timeout: float = TIMEOUT
    #: calls let through in any 60 seconds (Google's quota: 60 per user, 300 per project)
    requests_per_minute: int = DEFAULT_PER_MINUTE

    @classmethod
    def from_workspace(cls, ws: Workspace) -> GoogleConfig:
        """The workspace's ``[google]`` settings; ``ConfigError`` naming a wrong key or value."""
        table = dict(ws.google)
        # A Workspace built in code has not been through parse_config: check it the same way.
        check_google(table, str(ws.path or CONFIG_NAME))
        share = table.get("share_with", ())
        if isinstance(share, str):
            share = (share,)
        return cls(
            credentials=str(table.get("credentials", cls.credentials)),
            folder_id=str(table.get("folder_id", "")),
            share_with=tuple(str(s) for s in share),
            api_root=str(table.get("api_root", "")).rstrip("/"),
            timeout=float(table.get("timeout", TIMEOUT)),
            requests_per_minute=int(table.get("requests_per_minute", DEFAULT_PER_MINUTE)),
        )
