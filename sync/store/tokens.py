"""API tokens in the store: only each token's SHA-256, its scopes and when it was used.

A token is 32 random bytes shown once (``okr_`` + URL-safe base64). The store
keeps its SHA-256 hex digest, never the token, so a leaked database gives no
access. Scopes: ``admin``, ``reader``, ``department:CODE``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sync.errors import InputError, ServiceError
from sync.store.schema import api_tokens

PREFIX = "okr_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class TokenInfo:
    """A token as the store knows it (never the token itself)."""

    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None


def digest(token: str) -> str:
    """The SHA-256 hex digest the store keeps for *token*."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_scope(scope: str) -> str:
    """*scope* normalised (department codes are lowercase); ``InputError`` when unknown."""
    text = scope.strip()
    if text in ("admin", "reader"):
        return text
    kind, _, code = text.partition(":")
    if kind == "department" and CODE.match(code.lower()):
        return f"department:{code.lower()}"
    raise InputError(
        f"scope {scope!r} is not one of admin, reader, department:CODE (e.g. department:sales)"
    )


def _info(row) -> TokenInfo:
    return TokenInfo(
        row.name, tuple(row.scopes.split()), row.created_at, row.last_used_at, row.revoked_at
    )


def add_token(engine: Engine, name: str, scopes: list[str]) -> str:
    """Make a token called *name* with *scopes*; returns the token (shown once)."""
    if not NAME.match(name):
        raise InputError(f"token name {name!r}: use letters, digits, '.', '_' or '-'")
    if not scopes:
        raise InputError("give at least one --scope (admin, reader or department:CODE)")
    clean = sorted({check_scope(s) for s in scopes})
    token = PREFIX + secrets.token_urlsafe(32)
    row = {
        "name": name,
        "digest": digest(token),
        "scopes": " ".join(clean),
        "created_at": datetime.now().replace(microsecond=0),
    }
    try:
        with engine.begin() as conn:
            conn.execute(api_tokens.insert(), row)
    except IntegrityError:
        raise InputError(f"a token named {name!r} exists already; pick another name") from None
    except SQLAlchemyError as exc:
        raise ServiceError(f"cannot save the token in the store: {type(exc).__name__}") from exc
    return token


def list_tokens(engine: Engine) -> list[TokenInfo]:
    """Every token, active and revoked, by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(api_tokens).order_by(api_tokens.c.name)).all()
    return [_info(r) for r in rows]


def revoke_token(engine: Engine, name: str) -> None:
    """Revoke token *name* for good; ``InputError`` when there is no active one."""
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        done = conn.execute(
            update(api_tokens)
            .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount
    if not done:
        raise InputError(f"no active token named {name!r}; see okr token list")


def verify(engine: Engine, token: str) -> TokenInfo | None:
    """The active token matching *token*, or None."""
    return verify_digest(engine, digest(token))


def verify_digest(engine: Engine, wanted: str) -> TokenInfo | None:
    """The active token whose SHA-256 is *wanted*, or None.

    The lookup is by digest (an index), and the digests are compared again in
    constant time, so timing tells nothing about how close a guess was.
    """
    with engine.connect() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.digest == wanted)).first()
    if row is None or not hmac.compare_digest(row.digest, wanted) or row.revoked_at is not None:
        return None
    return _info(row)


def touch(engine: Engine, name: str, when: datetime | None = None) -> None:
    """Record that token *name* was used (the caller limits how often)."""
    with engine.begin() as conn:
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.name == name)
            .values(last_used_at=(when or datetime.now()).replace(microsecond=0))
        )
