"""One exception root for everything outside the pure domain, translated once at the edge.

The CLI prints ``okr: <message>`` (one line, never a traceback) and exits:

- 1 for ``LockedError`` (another run holds the lock; data errors also exit 1);
- 2 for ``InputError`` (bad usage, an unreadable file, sheet or setting);
- 3 for ``ServiceError`` (an operational failure outside the data: the store
  unreachable or failing mid-run, the output folder not writable, the disk
  full, the lock file not creatable, the run lock lost).

The service maps ``InputError`` to 400 and ``ServiceError`` to 503.
"""

from __future__ import annotations


class OkrError(Exception):
    """Root of the errors this project raises on purpose; the message is for users."""


class InputError(OkrError):
    """A file, sheet or setting a user gave cannot be read or makes no sense."""


class ConfigError(InputError):
    """``okr.toml`` is missing, malformed or names something that does not exist."""


class ServiceError(OkrError):
    """An outside system (database, API, store, file system) failed or timed out."""


class StoreError(ServiceError):
    """The store could not be reached, or failed while it was being read or written."""


class OutputError(ServiceError):
    """A file could not be written: folder not writable, disk full, read-only file system."""


class LockLost(ServiceError):
    """The run lock was lost while the run held it (its database session died)."""


class LockedError(OkrError):
    """Another run holds the lock, or a file is locked by another program."""


def os_reason(exc: OSError) -> str:
    """A short reason for an OS error: ``No space left on device`` rather than errno noise."""
    return exc.strerror or exc.__class__.__name__
