"""The garbage collector in a serving process: what the app holds at start is never rescanned.

A full collection walks every tracked object, and the app with Flask,
SQLAlchemy and marshmallow loaded is some 75,000 of them: each full
collection paused whichever request was running by tens of milliseconds
(the p99 of a 1,000-row ``functions:batch``). Freezing them once the app is
built leaves collections only what requests made since, and a larger young
threshold keeps one big batch (thousands of short-lived lists) from setting
off several collections. Cycles are still collected.
"""

from __future__ import annotations

import gc

#: Net new container objects before a young collection (CPython's default is 700).
YOUNG_THRESHOLD = 20_000


def settle() -> None:
    """Collect once, freeze what exists out of later scans, and collect the young less often."""
    gc.collect()
    gc.freeze()
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_THRESHOLD), *older)
