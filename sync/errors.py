"""One exception root for everything outside the pure domain, translated once at the edge.

The CLI prints ``okr: <message>`` and exits 2 for these; the service maps
``InputError`` to 400 and ``ServiceError`` to 503.
"""

from __future__ import annotations


class OkrError(Exception):
    """Root of the errors this project raises on purpose; the message is for users."""


class InputError(OkrError):
    """A file, sheet or setting a user gave cannot be read or makes no sense."""


class ConfigError(InputError):
    """``okr.toml`` is missing, malformed or names something that does not exist."""


class ServiceError(OkrError):
    """An outside system (database, API, store) failed or timed out."""


class LockedError(OkrError):
    """Another run holds the lock, or a file is locked by another program."""
