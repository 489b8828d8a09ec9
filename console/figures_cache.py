"""The month's figures, kept for a minute and refreshed behind the page.

Counting a month over 300,000 meters takes the database one to three seconds
on a busy 2-core server; staff open the month page again and again and must
never wait for that. Figures are counted in the background: at start-up for
this month and the last, and when a period is first asked for. A request
waits for a count at most `COLD_WAIT_SECONDS`; a count that takes longer is
left running and the page says the figures are being counted and reloads
itself. Fresh figures are served at once. A copy older than `FRESH_SECONDS`
is counted again, and the request waits for that count as long as for a
first one; only a count that takes longer leaves the stale copy on the page
(which says how old its figures are) while it runs on. The console's own
changes drop the copy at once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Dict, List, Optional

from core.db.engine import run_unit_of_work
from core.reporting.month import MonthFigures, month_figures
from core.settings import get_settings

FRESH_SECONDS = 60.0
COLD_WAIT_SECONDS = 0.6  # the page answers within a second even for a period never counted
KEPT_PERIODS = 24


@dataclass(frozen=True)
class Kept:
    figures: MonthFigures
    as_of: datetime
    computed: float  # time.monotonic()


class FiguresCache:
    """One per application (tests start several, each on its own database)."""

    def __init__(self, cold_wait: float = COLD_WAIT_SECONDS) -> None:
        self.cold_wait = cold_wait
        self._kept: Dict[str, Kept] = {}
        # One count per period at a time, however many clerks ask.
        self._counting: Dict[str, asyncio.Task] = {}
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

    async def figures_for(self, period: str) -> Optional[Kept]:
        """Fresh kept figures at once; else a new count if it is done in time; else the
        stale copy (the page says its age), or None while a first count runs."""
        kept = self._kept.get(period)
        if kept is not None and not self._stale(kept):
            return kept
        try:
            return await asyncio.wait_for(asyncio.shield(self._count(period)), self.cold_wait)
        except asyncio.TimeoutError:
            return kept

    @staticmethod
    def _stale(kept: Kept) -> bool:
        # Readings, imports and the nightly jobs change the figures from other processes,
        # which cannot drop this copy. Age on either clock: the business clock jumps
        # when it is moved (the rehearsal, tests), the monotonic one never does.
        age = (get_settings().now() - kept.as_of).total_seconds()
        return time.monotonic() - kept.computed > FRESH_SECONDS or abs(age) > FRESH_SECONDS

    def warm_up(self, periods: List[str]) -> None:
        """Starts counting the periods in the background (at start-up)."""
        for period in periods:
            self._count(period)

    def _count(self, period: str) -> asyncio.Task:
        task = self._counting.get(period)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._compute(period))
            self._counting[period] = task
            task.add_done_callback(lambda done: self._counted(period, done))
        return task

    def _counted(self, period: str, task: asyncio.Task) -> None:
        self._counting.pop(period, None)
        if not task.cancelled() and task.exception() is not None:
            # The next request counts again; the waiting one (if any) sees the error.
            self._kept.pop(period, None)

    def forget(self) -> None:
        """Drops every kept period after a change made through the console."""
        self._generation += 1
        self._kept.clear()


def current_periods(today: date) -> List[str]:
    """This month and the one before ("YYYY-MM")."""
    previous = date(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1, 1)
    return [f"{today:%Y-%m}", f"{previous:%Y-%m}"]
