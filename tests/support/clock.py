"""The one pinned clock of the test suite.

Every test, every fixture of any scope and every process a test starts runs at
`TEST_NOW` unless the test moves the clock itself (`set_clock`). The pin is put
into the environment when the suite is imported, before any session- or
module-scoped fixture runs, so nothing can seed or start a server with the real
date while the servers run at the pinned one.
"""

from __future__ import annotations

import os
from datetime import datetime

from core.settings import KYIV, get_settings

# Inside the default window (1st..28th) unless a test moves the clock.
TEST_NOW = "2026-11-20T10:00:00+02:00"


def pinned_now() -> datetime:
    """`TEST_NOW` as an aware Kyiv datetime."""
    return datetime.fromisoformat(TEST_NOW).astimezone(KYIV)


def pin_process_clock() -> None:
    """Pins this process (and every process it starts) at `TEST_NOW`."""
    os.environ["ASSISTANT_NOW"] = TEST_NOW
    get_settings.cache_clear()


def set_clock(monkeypatch, moment: str) -> None:
    """Moves the pinned clock for one test (undone with the monkeypatch)."""
    monkeypatch.setenv("ASSISTANT_NOW", moment)
    get_settings.cache_clear()
