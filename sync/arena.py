"""One malloc arena for the whole process, so memory one thread frees serves the others.

glibc gives each thread that allocates its own arena. The threads that
parse department workbooks free their grids into theirs, where the main
thread, which builds the report next, cannot use them again: at 500
workbooks that was 7% of a run's peak memory. Python's own allocator is
shared by all threads anyway and the GIL serialises most allocation, so one
arena costs no measurable speed. Where the C library is not glibc this does
nothing.
"""

from __future__ import annotations

import sys

#: glibc's ``mallopt`` parameter for the most arenas (``malloc.h``).
_M_ARENA_MAX = -8
_done = False


def one_arena() -> bool:
    """Ask glibc for a single malloc arena from now on (once); True when it agreed."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    import ctypes  # only here: ``okr --help`` does not need it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to ask, or one without mallopt
        return False
    _done = bool(mallopt(_M_ARENA_MAX, 1))
    return _done
