"""When each owner was last reminded (table ``reminders``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from sync.errors import ServiceError
from sync.store.schema import reminders


def last_sent(engine: Engine) -> dict[str, datetime]:
    """Owner (lower case) -> when the last reminder went out."""
    with engine.connect() as conn:
        return {r.owner: r.sent_at for r in conn.execute(select(reminders))}


def mark_sent(engine: Engine, sent: Iterable[tuple[str, int]], when: datetime) -> None:
    """Record that each (owner, number of key results) was reminded at *when*."""
    rows = [{"owner": o.lower(), "sent_at": when, "items": n} for o, n in sent]
    if not rows:
        return
    try:
        with engine.begin() as conn:
            conn.execute(delete(reminders).where(reminders.c.owner.in_([r["owner"] for r in rows])))
            conn.execute(insert(reminders), rows)
    except SQLAlchemyError as exc:
        raise ServiceError(f"the store could not record reminders: {type(exc).__name__}") from None
