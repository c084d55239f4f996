"""``okr token add|list|revoke``: the service's bearer tokens."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sync.cli.options import config_option, format_option
from sync.config import load_config
from sync.store import tokens as token_store
from sync.store.engine import open_store


@click.group()
def token() -> None:
    """Make, list and revoke the sync service's API tokens.

    Example: okr token add sales-head --scope department:sales
    """


@token.command("add")
@config_option()
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    metavar="SCOPE",
    help="admin, reader or department:CODE (repeat for several).",
)
def add(config: Path | None, name: str, scopes: tuple[str, ...]) -> int:
    """Make a token NAME with SCOPE(s); the token is printed once, alone on the last line.

    Only its SHA-256 is stored: copy it now. Capture it in a script with
    TOKEN=$(okr token add ci --scope reader | tail -n 1).

    Example: okr token add leadership --scope reader
    """
    engine = open_store(load_config(config).store_url)
    secret = token_store.add_token(engine, name, list(scopes))
    click.echo(
        f"Token {name} ({', '.join(sorted(set(scopes)))}); shown once, copy it now:", err=True
    )
    click.echo(secret)
    return 0


@token.command("list")
@config_option()
@format_option
def list_(config: Path | None, fmt: str) -> int:
    """List tokens: name, scopes, created, last used, revoked (never the token).

    Example: okr token list --format json
    """
    engine = open_store(load_config(config).store_url)
    tokens = token_store.list_tokens(engine)
    if fmt == "json":
        rows = [
            {
                "name": t.name,
                "scopes": list(t.scopes),
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in tokens
        ]
        click.echo(json.dumps(rows, indent=2))
        return 0
    if not tokens:
        click.echo("No tokens yet: okr token add NAME --scope SCOPE")
    for t in tokens:
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
        click.echo(
            f"{t.name}  {' '.join(t.scopes)}  created {t.created_at:%Y-%m-%d}  {used}  {state}"
        )
    return 0


@token.command("revoke")
@config_option()
@click.argument("name")
def revoke(config: Path | None, name: str) -> int:
    """Revoke token NAME at once; requests with it answer 401 from now on.

    Example: okr token revoke sales-head
    """
    engine = open_store(load_config(config).store_url)
    token_store.revoke_token(engine, name)
    click.echo(f"Revoked {name}.")
    return 0
