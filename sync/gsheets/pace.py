"""Pacing API calls to Google's quota: at most N requests in any 60 seconds.

Google counts Sheets and Drive requests per minute (60 per user, 300 per
project by default) and answers 429 beyond that. Rather than spend retries
on 429s, ``Pacer.wait`` sleeps before a call that would go over
``[google] requests_per_minute``: a sliding window of the times calls were
let through. Several threads may ask at once: each reserves its slot under
the lock and sleeps outside it, so the window holds however the threads
interleave. One pacer serves every connection of the same account and
``api_root`` in a process, since the quota is the account's, not a
connection's.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

#: Google's default per-user quota of Sheets requests a minute.
DEFAULT_PER_MINUTE = 60
WINDOW = 60.0


class Pacer:
    """Lets at most *per_minute* calls through in any *window* seconds."""

    def __init__(
        self,
        per_minute: int = DEFAULT_PER_MINUTE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        window: float = WINDOW,
    ) -> None:
        """*clock* and *sleep* are injectable so tests pace on a virtual clock."""
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.clock = clock
        self.sleep = sleep
        self.window = window
        #: the times calls were (or will be) let through, oldest first
        self.slots: deque[float] = deque()
        #: every pause made, in seconds (tests and the benchmark read them)
        self.paused: list[float] = []
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Sleep until one more call keeps within the limit; the seconds slept."""
        with self._lock:
            now = self.clock()
            while self.slots and self.slots[0] <= now - self.window:
                self.slots.popleft()
            slot = now
            if len(self.slots) >= self.per_minute:
                slot = max(now, self.slots[-self.per_minute] + self.window)
            self.slots.append(slot)
            pause = slot - now
            if pause > 0:
                self.paused.append(pause)
        if pause > 0:
            self.sleep(pause)
        return max(pause, 0.0)


_SHARED: dict[tuple[str, str, int], Pacer] = {}
_SHARED_LOCK = threading.Lock()


def shared_pacer(account: str, api_root: str, per_minute: int) -> Pacer:
    """The process's one real-time pacer for *account* at *api_root* and *per_minute*."""
    key = (account, api_root, per_minute)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = Pacer(per_minute)
        return _SHARED[key]
