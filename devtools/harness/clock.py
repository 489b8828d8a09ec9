"""Clocks for the sender, benchmarks and the rehearsal: Kyiv time from a pinned
start, moving on with the real seconds (leases and waits need time to pass); the
file clock moves the business time of whole processes."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from core.settings import KYIV, moved_clock


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


class FileClock:
    """The business clock of every process started with `ASSISTANT_CLOCK_FILE=path`
    (core.settings.moved_clock): `set` moves them all at once, and it runs on."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def set(self, moment: datetime) -> None:
        temporary = self.path.with_name(self.path.name + ".new")
        temporary.write_text(f"{moment.isoformat()} {time.time():.6f}\n", encoding="utf-8")
        os.replace(temporary, self.path)  # a reader sees the old line or the new one

    def __call__(self) -> datetime:
        return moved_clock(self.path)
