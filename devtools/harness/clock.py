"""A clock for the sender and benchmarks: Kyiv time from a pinned start, moving on
with the real seconds (leases and waits need time to pass)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from core.settings import KYIV


class RunningClock:
    """Kyiv time starting at `start` and running with the real clock (for leases, waits)."""

    def __init__(self, start: str) -> None:
        self.start = datetime.fromisoformat(start).astimezone(KYIV)
        self.began = time.monotonic()
        self.offset = 0.0

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began + self.offset)

    def jump(self, seconds: float) -> None:
        self.offset += seconds
