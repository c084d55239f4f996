"""The Google connection: service-account credentials, one session, bounded retries.

gspread does the API work over a google-auth ``AuthorizedSession`` whose
transport adapter sends every request for Google's Sheets, Drive and token
hosts to ``[google] api_root`` instead when one is set (a proxy, or the
stand-in the tests start), keeping the path: ``https://sheets.googleapis.com
/v4/...`` becomes ``<api_root>/v4/...``. google-auth signs the service
account's JWT and exchanges it at the token endpoint as it would with Google.

API calls are the scarce resource (60 a minute per user), so every call goes
through ``GoogleApi.call``: it paces the call to ``[google]
requests_per_minute`` (``sync.gsheets.pace``), counts it, retries 429 and 5xx answers
(honouring Retry-After) at most ``MAX_TRIES`` times within a time budget, and
turns what Google says into one line naming the sheet and the fix.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import gspread
import requests
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.urls import DRIVE_FILES_API_V3_URL, SPREADSHEET_VALUES_BATCH_UPDATE_URL
from requests.adapters import HTTPAdapter

from sync.errors import ConfigError, InputError, ServiceError
from sync.gsheets.pace import Pacer, shared_pacer
from sync.gsheets.settings import GoogleConfig
from sync.secrets import resolve_secrets

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
)
#: The hosts ``api_root`` replaces.
GOOGLE_HOSTS = ("sheets.googleapis.com", "www.googleapis.com", "oauth2.googleapis.com")
SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
#: Tries of one call (the first included) before it counts as failed.
MAX_TRIES = 5
#: Seconds one sheet's calls may spend waiting and retrying, in all.
BUDGET = 60.0

T = TypeVar("T")


def rewrite(url: str, api_root: str) -> str:
    """*url* with a Google host replaced by *api_root* (path and query kept)."""
    if not api_root:
        return url
    parts = urlsplit(url)
    if parts.hostname not in GOOGLE_HOSTS:
        return url
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return api_root.rstrip("/") + rest


class RootAdapter(HTTPAdapter):
    """A transport adapter that sends requests for Google's hosts to ``api_root``."""

    def __init__(self, api_root: str) -> None:
        super().__init__(pool_maxsize=16)
        self.api_root = api_root

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Rewrite the URL, then send as usual."""
        request.url = rewrite(request.url or "", self.api_root)
        return super().send(request, **kwargs)


def load_credentials(cfg: GoogleConfig) -> service_account.Credentials:
    """The service account of ``[google] credentials``; one line naming the fix otherwise."""
    path_text = resolve_secrets(cfg.credentials)
    if not path_text.strip():
        raise ConfigError(
            "[google] credentials is empty: set it to the service-account JSON key file, "
            'e.g. credentials = "${GOOGLE_APPLICATION_CREDENTIALS}"'
        )
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"[google] credentials: {path} does not exist; download the service account's "
            "JSON key and point the setting (or GOOGLE_APPLICATION_CREDENTIALS) at it"
        )
    try:
        return service_account.Credentials.from_service_account_file(str(path), scopes=list(SCOPES))
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"[google] credentials: {path} is not a service-account JSON key "
            f"({exc.__class__.__name__}); download a new key from the Google Cloud console"
        ) from None


def make_session(credentials: Any, api_root: str = "") -> AuthorizedSession:
    """An AuthorizedSession (the token exchange included) whose requests honour *api_root*."""
    token_session = requests.Session()
    session = AuthorizedSession(credentials, auth_request=Request(token_session))
    for s in (token_session, session):
        adapter = RootAdapter(api_root)
        s.mount("https://", adapter)
        s.mount("http://", adapter)
    return session


class GoogleApi:
    """The calls okr-sheets makes, over one gspread client, counted and retried."""

    def __init__(
        self,
        cfg: GoogleConfig,
        *,
        credentials: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: Pacer | None = None,
    ) -> None:
        """Connect with *cfg* (credentials loaded from it unless given).

        *sleep* and *clock* time the retries and the pacing (tests pass a
        virtual clock); on the real clock every connection of the account
        shares one pacer unless *pacer* is given.
        """
        self.cfg = cfg
        self.credentials = credentials or load_credentials(cfg)
        self.session = make_session(self.credentials, cfg.api_root)
        self.client = gspread.Client(None, session=self.session)
        self.client.set_timeout(cfg.timeout)
        self.http: HTTPClient = self.client.http_client
        self.sleep = sleep
        self.clock = clock
        if pacer is None:
            per_minute = cfg.requests_per_minute
            pacer = (
                shared_pacer(self.email, cfg.api_root, per_minute)
                if clock is time.monotonic
                else Pacer(per_minute, clock=clock, sleep=sleep)
            )
        self.pacer = pacer
        self.calls: Counter[str] = Counter()
        self.waits: list[float] = []
        self._lock = threading.Lock()

    @property
    def email(self) -> str:
        """The service account's address (what sheets must be shared with)."""
        return str(getattr(self.credentials, "service_account_email", "") or "the service account")

    def call(
        self, kind: str, what: str, fn: Callable[[], T], *, deadline: float | None = None
    ) -> T:
        """Run one API call *fn* for *what*; retry 429/5xx; translate failures to one line."""
        deadline = deadline or self.clock() + BUDGET
        for attempt in range(1, MAX_TRIES + 1):
            self.pacer.wait()  # every try is a request Google counts
            with self._lock:
                self.calls[kind] += 1
            try:
                return fn()
            except APIError as exc:
                code = exc.response.status_code
                if code not in RETRY_STATUS:
                    raise self.translate(exc, what) from None
                wait = _retry_after(exc.response) or min(0.5 * 2 ** (attempt - 1), 8.0)
                reason = f"Google answered {code} {exc.error.get('status', '')}".rstrip()
            except (requests.Timeout, requests.ConnectionError) as exc:
                wait, reason = min(0.5 * 2 ** (attempt - 1), 8.0), _short(exc)
            except RefreshError as exc:
                raise self.refused(exc) from None
            except (TransportError, GoogleAuthError) as exc:
                raise ServiceError(
                    f"{what}: cannot reach Google's token endpoint ({_short(exc)})"
                ) from None
            except ValueError:  # requests' JSONDecodeError: a body that is not JSON
                raise ServiceError(
                    f"{what}: Google's answer was not valid JSON; try again later"
                ) from None
            if attempt == MAX_TRIES or self.clock() + wait > deadline:
                raise ServiceError(
                    f"{what}: {reason}, {attempt} tries; giving up for now (quota or outage), "
                    "the next run tries again"
                )
            with self._lock:
                self.waits.append(wait)
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def translate(self, exc: APIError, what: str) -> Exception:
        """One line for an API error that retrying cannot mend."""
        code = exc.response.status_code
        message = str(exc.error.get("message", "")).strip()
        if code == 403:
            return InputError(
                f"{what}: {self.email} has no access (403 {message}); share the sheet with "
                f"{self.email} as Editor"
            )
        if code == 404:
            return InputError(f"{what}: no such Google Sheet (404); check the ID or URL")
        if code == 401:
            return ServiceError(
                f"{what}: Google refused the credentials of {self.email} (401); the key may be "
                "revoked: create a new key and point [google] credentials at it"
            )
        return InputError(f"{what}: Google refused the request ({code} {message})")

    def refused(self, exc: RefreshError) -> ServiceError:
        """The token exchange failed: the key is wrong, deleted or revoked."""
        return ServiceError(
            f"Google refused the service-account key of {self.email} ({_short(exc)}); the key "
            "may be revoked or deleted: create a new key and point [google] credentials at it"
        )

    # -- the calls ------------------------------------------------------------------
    def list_files(self, folder_id: str = "", *, deadline: float | None = None) -> list[dict]:
        """Spreadsheets in *folder_id* (every one visible when empty): id, name, modifiedTime.

        One Drive ``files.list`` call per 1,000 files.
        """
        what = f"Drive folder {folder_id}" if folder_id else "Drive"
        query = f'mimeType="{SHEETS_MIME}" and trashed = false'
        if folder_id:
            query += f' and "{folder_id}" in parents'
        params: dict[str, Any] = {
            "q": query,
            "pageSize": 1000,
            "supportsAllDrives": True,
            "includeItemsFromAllDrives": True,
            "fields": "kind,nextPageToken,files(id,name,createdTime,modifiedTime)",
        }
        files: list[dict] = []
        while True:
            page = self.call(
                "files.list",
                what,
                lambda: self.http.request("get", DRIVE_FILES_API_V3_URL, params=params).json(),
                deadline=deadline,
            )
            files.extend(page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return files
            params["pageToken"] = token

    def batch_get(
        self, sheet_id: str, ranges: list[str], what: str, *, deadline: float | None = None
    ) -> list[dict]:
        """The value ranges of *ranges*: unformatted values, dates as serial numbers."""
        params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
        out = self.call(
            "values.batchGet",
            what,
            lambda: self.http.values_batch_get(sheet_id, ranges, params=dict(params)),
            deadline=deadline,
        )
        return list(out.get("valueRanges", []))

    def sheet_titles(self, sheet_id: str, what: str, *, deadline: float | None = None) -> list[str]:
        """The tab titles of a spreadsheet (one ``spreadsheets.get`` with a field mask)."""
        meta = self.call(
            "spreadsheets.get",
            what,
            lambda: self.http.spreadsheets_get(sheet_id, params={"fields": "sheets.properties"}),
            deadline=deadline,
        )
        return [s["properties"]["title"] for s in meta.get("sheets", [])]

    def values_update(
        self, sheet_id: str, data: list[dict], what: str, *, raw: bool = True
    ) -> dict:
        """One ``values:batchUpdate`` (RAW unless *raw* is False: formulas then count)."""
        body = {"valueInputOption": "RAW" if raw else "USER_ENTERED", "data": data}
        # Compact JSON: these bodies are the largest we send (up to 2 MB).
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        url = SPREADSHEET_VALUES_BATCH_UPDATE_URL % sheet_id
        headers = {"Content-Type": "application/json; charset=utf-8"}
        return self.call(
            "values.batchUpdate",
            what,
            lambda: self.http.request("post", url, data=payload, headers=headers).json(),
        )

    def batch_update(self, sheet_id: str, requests_: list[dict], what: str) -> dict:
        """One ``spreadsheets:batchUpdate`` with every request."""
        body = {"requests": requests_}
        return self.call(
            "spreadsheets.batchUpdate", what, lambda: self.http.batch_update(sheet_id, body)
        )

    def create(self, title: str, folder_id: str = "") -> str:
        """A new spreadsheet (Drive ``files.create``, one call); its ID."""
        payload: dict[str, Any] = {"name": title, "mimeType": SHEETS_MIME}
        if folder_id:
            payload["parents"] = [folder_id]
        out = self.call(
            "files.create",
            f"new Google Sheet {title!r}",
            lambda: self.http.request(
                "post", DRIVE_FILES_API_V3_URL, json=payload, params={"supportsAllDrives": True}
            ).json(),
        )
        return str(out["id"])

    def share(self, sheet_id: str, email: str) -> None:
        """Give *email* edit access (Drive ``permissions.create``, no notification mail)."""
        self.call(
            "permissions.create",
            f"sharing with {email}",
            lambda: self.http.insert_permission(sheet_id, email, "user", "writer", notify=False),
        )


def sheet_url(sheet_id: str) -> str:
    """The browser URL of a spreadsheet."""
    return f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit"


def sheet_id_of(text: str) -> str:
    """The spreadsheet ID of an ID or a sheet URL; ``InputError`` when there is none."""
    text = text.strip().removeprefix("gsheet:")
    if "/" not in text:
        return text
    try:
        return gspread.utils.extract_id_from_url(text)
    except gspread.exceptions.NoValidUrlKeyFound:
        raise InputError(
            f"{text}: not a Google Sheets URL; use https://docs.google.com/spreadsheets/d/ID"
        ) from None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
