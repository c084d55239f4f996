"""Secrets: ``${ENV_VAR}`` references resolved late, and kept out of messages and logs."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sync.errors import ConfigError

if TYPE_CHECKING:
    pass


ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def resolve_secrets(value: Any, env: dict[str, str] | None = None) -> Any:
    """Replace ``${VAR}`` references in strings (recursively) with environment values.

    A missing variable raises ``ConfigError`` naming it, so a secret is never
    silently empty.
    """
    env = os.environ if env is None else env
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in env:
                raise ConfigError(f"environment variable {name} is not set: export it first")
            return env[name]

        return ENV_REF.sub(sub, value)
    if isinstance(value, dict):
        return {k: resolve_secrets(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_secrets(v, env) for v in value]
    return value


def redact(url: str) -> str:
    """*url* with any password replaced by ``***``, for messages and logs."""
    # SQLAlchemy only when a store URL is shown: commands like ``okr check`` never load it.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<store url>"


_SECRET_KEY = re.compile(r"password|token|secret|api_key|apikey", re.IGNORECASE)


_SECRET_HEADER = re.compile(r"authorization|token|key|secret", re.IGNORECASE)


_ENV_ONLY = re.compile(r"(\$\{[A-Za-z_][A-Za-z0-9_]*\})+")


_SECRET_PARAM = re.compile(r"key|token|secret|pass|sig|auth|credential", re.IGNORECASE)


def redact_url(url: str) -> str:
    """*url* without password and with secret-looking query values as ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<url>"
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}:***@{host}" if ":" in user else f"{user}@{host}"
    query = urlencode(
        [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)],
        safe="*{}$:,",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def no_written_secrets(table: Mapping[str, Any], label: str) -> None:
    """Raise ``ConfigError`` for passwords and tokens typed into okr.toml, not ``${ENV_VAR}``."""
    found = [k for k in table if _SECRET_KEY.search(k) and _literal(table[k])]
    headers = table.get("headers")
    if isinstance(headers, dict):
        found += [
            f"headers.{k}" for k, v in headers.items() if _SECRET_HEADER.search(k) and _literal(v)
        ]
    url = str(table.get("url", ""))
    password = re.match(r"^[\w+.-]+://[^:/@]*:([^@]*)@", url)
    if password and _literal(password.group(1)):
        found.append("the password in url")
    if found:
        raise ConfigError(
            f"{label}: {', '.join(found)} is written in the file; put the secret in an "
            'environment variable and write it as "${NAME}"'
        )


def _literal(value: object) -> bool:
    text = str(value)
    return bool(text) and not _ENV_ONLY.fullmatch(re.sub(r"^(Bearer|Basic|Token)\s+", "", text))


def secret_values(value: Any, env: Mapping[str, str] | None = None) -> set[str]:
    """The environment values that ``${VAR}`` references in *value* resolve to."""
    env = os.environ if env is None else env
    if isinstance(value, str):
        return {env[v] for v in ENV_REF.findall(value) if len(env.get(v, "")) >= 3}
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return set().union(*(secret_values(v, env) for v in value)) if value else set()
    return set()


def scrub(text: str, secrets: Iterable[str]) -> str:
    """*text* with every secret value replaced by ``***``."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
