"""``OKR_METRIC``'s lookup: the latest good value of a metric, read from the store."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine

from sync.config import load_config
from sync.store import metrics as metric_store
from sync.store.engine import open_store


def engine_lookup(engine: Engine):
    """``lookup(metric, period) -> value`` over *engine*; an empty period means any period.

    Raises ``LookupError`` with a message for the sheet when there is no good value.
    """

    def lookup(metric: str, period: str) -> object:
        found = metric_store.history(engine, metric, period or None, good_only=True, limit=1)
        if not found:
            when = f" for {period}" if period else ""
            raise LookupError(
                f"metric {metric!r} has no value{when} in the store: "
                "run okr metrics refresh, or check the name"
            )
        return found[0].value

    return lookup


@lru_cache(maxsize=4)
def _engine_for(config: str | None) -> Engine:
    return open_store(load_config(config).store_url)


def store_lookup(config: str | None = None):
    """The lookup over the store of the workspace file *config* (./okr.toml when None)."""
    return engine_lookup(_engine_for(config))
