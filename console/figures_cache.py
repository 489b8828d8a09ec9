"""The month's figures, kept for a minute and refreshed behind the page.

Counting a month over 300,000 meters takes the database a noticeable part of
a second (more on a busy server); staff open the month page again and again.
The first request for a period computes its figures; later requests get the
kept figures at once, and a stale copy (older than `FRESH_SECONDS`) is
served while one background task recomputes it. The page says how old the
figures are; the console's own changes drop the copy at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Dict, List, Set

from core.db.engine import run_unit_of_work
from core.repository.console import MonthFigures, month_figures
from core.settings import get_settings

FRESH_SECONDS = 60.0
KEPT_PERIODS = 24


@dataclass(frozen=True)
class Kept:
    figures: MonthFigures
    as_of: datetime
    computed: float  # time.monotonic()


class FiguresCache:
    """One per application (tests start several, each on its own database)."""

    def __init__(self) -> None:
        self._kept: Dict[str, Kept] = {}
        self._refreshing: Set[str] = set()
        self._locks: Dict[str, asyncio.Lock] = {}
        self._tasks: Set[asyncio.Task] = set()
        # Bumped by forget(): figures counted before a change are not kept after it.
        self._generation = 0

    async def _compute(self, period: str) -> Kept:
        as_of, started, generation = get_settings().now(), time.monotonic(), self._generation
        figures = await run_unit_of_work(lambda s: month_figures(s, period))
        kept = Kept(figures, as_of, started)
        if generation == self._generation:
            self._kept[period] = kept
        while len(self._kept) > KEPT_PERIODS:
            self._kept.pop(min(self._kept, key=lambda p: self._kept[p].computed))
        return kept

    async def _refresh(self, period: str) -> None:
        try:
            async with self._locks.setdefault(period, asyncio.Lock()):
                await self._compute(period)
        except Exception:  # noqa: BLE001 — the next request computes it again
            self._kept.pop(period, None)
        finally:
            self._refreshing.discard(period)

    async def figures_for(self, period: str) -> Kept:
        kept = self._kept.get(period)
        if kept is None:
            # One computation per period even when several clerks open the page together.
            async with self._locks.setdefault(period, asyncio.Lock()):
                kept = self._kept.get(period) or await self._compute(period)
            return kept
        if time.monotonic() - kept.computed > FRESH_SECONDS and period not in self._refreshing:
            self._start_refresh(period)
        return kept

    def warm_up(self, periods: List[str]) -> None:
        """Starts counting the periods in the background (at start-up)."""
        for period in periods:
            self._start_refresh(period)

    def _start_refresh(self, period: str) -> None:
        self._refreshing.add(period)
        task = asyncio.get_running_loop().create_task(self._refresh(period))
        self._tasks.add(task)  # keep a reference until done (asyncio holds weak ones)
        task.add_done_callback(self._tasks.discard)

    def forget(self) -> None:
        """Drops every kept period after a change made through the console."""
        self._generation += 1
        self._kept.clear()


def current_periods(today: date) -> List[str]:
    """This month and the one before ("YYYY-MM")."""
    previous = date(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1, 1)
    return [f"{today:%Y-%m}", f"{previous:%Y-%m}"]
