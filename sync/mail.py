"""Reminder e-mails for ``okr remind``: who must update what, and sending over SMTP.

``[mail]`` in okr.toml: ``host``, ``port`` (587), ``from``, ``starttls``
(true), ``user`` and ``password`` (as ``${ENV_VAR}``, never written in the
file), ``remind_days`` (7: at most one reminder per owner in that many days).
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

from okr.model import Item
from sync.errors import ConfigError, ServiceError
from sync.secrets import no_written_secrets, resolve_secrets, scrub, secret_values

_KEYS = ("host", "port", "from", "starttls", "user", "password", "remind_days", "timeout")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class MailSettings:
    """The ``[mail]`` table, checked; the password still a ``${VAR}`` reference."""

    host: str
    port: int = 587
    sender: str = ""
    starttls: bool = True
    user: str = ""
    password: str = ""
    remind_days: int = 7
    timeout: float = 30.0


def mail_settings(table: Mapping[str, Any], where: str) -> MailSettings:
    """Check ``[mail]``; ``ConfigError`` naming the key and the fix."""
    label = f"{where}: [mail]"
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{label} has unknown key(s) {', '.join(unknown)}; allowed: "
                          f"{', '.join(_KEYS)}")  # fmt: skip
    if not table.get("host") or not table.get("from"):
        raise ConfigError(f'{label} needs host and from, e.g. host = "smtp.example.org"')
    no_written_secrets(table, label)
    days = table.get("remind_days", 7)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ConfigError(f"{label} remind_days must be a whole number of days >= 0")
    try:
        port = int(table.get("port", 587))
    except (TypeError, ValueError):
        raise ConfigError(f"{label} port must be a number such as 587") from None
    return MailSettings(
        str(table["host"]), port, str(table["from"]), bool(table.get("starttls", True)),
        str(table.get("user", "")), str(table.get("password", "")), days,
        float(table.get("timeout", 30)),
    )  # fmt: skip


@dataclass(frozen=True)
class Due:
    """One key result an owner must update."""

    item: Item
    last: date | None


def reminders_by_owner(
    items: Sequence[Item], due: Mapping[str, date | None]
) -> tuple[dict[str, list[Due]], list[str]]:
    """Owner e-mail -> their key results due; and owners that are not e-mail addresses."""
    out: dict[str, list[Due]] = defaultdict(list)
    skipped: list[str] = []
    seen: set[str] = set()
    for item in items:
        if item.id not in due or item.id in seen:
            continue
        seen.add(item.id)
        owner = item.owner.strip()
        if _EMAIL.match(owner):
            out[owner.lower()].append(Due(item, due[item.id]))
        elif owner not in skipped:
            skipped.append(owner or "(no owner)")
    return dict(out), skipped


def message(owner: str, due: Sequence[Due], settings: MailSettings, organisation: str,
            today: date) -> EmailMessage:  # fmt: skip
    """The reminder to *owner*: each key result with its workbook, sheet and cell."""
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = owner
    n = len(due)
    msg["Subject"] = f"{organisation}: {n} key result(s) to update"
    lines = [
        "Hello,",
        "",
        f"as of {today:%Y-%m-%d} these key results you own need an update. Type the current "
        "value in Current and add a row to the Check-ins sheet (date, key result ID, value, "
        "confidence, note):",
        "",
    ]
    for d in due:
        i = d.item
        when = f"last updated {d.last:%Y-%m-%d}" if d.last else "never updated"
        where = f"{i.where.workbook}, sheet {i.where.sheet}, cell {i.where.cell('current')}"
        lines.append(f"- {i.id} {i.title} ({when}): {where}")
    lines += ["", "Thank you.", "", "-- okr remind"]
    msg.set_content("\n".join(lines))
    return msg


def send(messages: Sequence[EmailMessage], settings: MailSettings) -> None:
    """Send *messages* over one SMTP session; ``ServiceError`` with the reason on failure."""
    password = resolve_secrets(settings.password) if settings.password else ""
    hidden = secret_values(settings.password)
    try:
        # The plain host name: smtplib's default (getfqdn) may wait on DNS.
        with smtplib.SMTP(
            settings.host, settings.port, socket.gethostname(), timeout=settings.timeout
        ) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, password)
            for msg in messages:
                smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        reason = scrub(f"{type(exc).__name__}: {exc}", hidden)[:200]
        raise ServiceError(
            f"cannot send mail through {settings.host}:{settings.port} ({reason}); "
            "check [mail] in okr.toml"
        ) from None
