"""Named points of a run where the kill-safety and operational tests break it.

Set ``OKR_TEST_KILL_AT`` to a checkpoint name to SIGKILL the process there, or
``OKR_TEST_PAUSE_AT`` to pause there until the file named by
``OKR_TEST_PAUSE_FILE`` + ``.go`` exists (after creating + ``.reached``). Unset,
a checkpoint costs two environment lookups.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

#: Set to a checkpoint name to SIGKILL the process there (the kill-safety tests).
KILL_ENV = "OKR_TEST_KILL_AT"
#: Set to a checkpoint name to pause there until the file named by PAUSE_FILE_ENV
#: + ".go" exists (after creating + ".reached"): tests break things mid-run.
PAUSE_ENV = "OKR_TEST_PAUSE_AT"
PAUSE_FILE_ENV = "OKR_TEST_PAUSE_FILE"
CHECKPOINTS = ("sources", "read", "written", "commit", "recorded", "copied", "renamed")


def checkpoint(name: str) -> None:
    """Fault injection for the kill-safety tests: die or pause at *name* when asked."""
    if os.environ.get(KILL_ENV) == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(PAUSE_ENV) == name:
        marker = Path(os.environ[PAUSE_FILE_ENV])
        marker.with_suffix(".reached").touch()
        deadline = time.monotonic() + 120
        while not marker.with_suffix(".go").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
