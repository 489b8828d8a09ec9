"""The monthly submission window: readings for a month are accepted on its days
first..last inclusive (Europe/Kyiv); staff may move the days for one month."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Optional, Tuple

from sqlalchemy.orm import Session

from core.db.engine import run_unit_of_work
from core.db.models import period_of
from core.repository import settings as settings_repo
from core.settings import KYIV, get_settings

# (first_day, last_day) override for a period, or None for the defaults.
OverrideLookup = Callable[[str], Optional[Tuple[Optional[int], Optional[int]]]]


@dataclass(frozen=True)
class WindowStatus:
    period: str
    first: date
    last: date
    today: date
    next_opening: date

    @property
    def is_open(self) -> bool:
        return self.first <= self.today <= self.last

    @property
    def days_left(self) -> int:
        """Whole days after today still in the window (0: today is the last day)."""
        return (self.last - self.today).days


def _month_window(
    year: int, month: int, first_day: int, last_day: int, override: OverrideLookup
) -> Tuple[date, date]:
    days_in_month = calendar.monthrange(year, month)[1]
    custom = override(f"{year:04d}-{month:02d}") or (None, None)
    first = min(custom[0] or first_day, days_in_month)
    last = min(custom[1] or last_day, days_in_month)
    return date(year, month, first), date(year, month, last)


def window_problem(
    period: str,
    first_day: Optional[int],
    last_day: Optional[int],
    default_first: int,
    default_last: int,
) -> Optional[str]:
    """Why staff cannot move `period`'s window to these days (None: they can).

    A day left out (None) keeps the default, which ends with a short month's
    last day as the window itself does (a default «to the 31st» is the 28th in
    February 2027), so moving only February's first day is never refused for it.
    """
    year, month = map(int, period.split("-"))
    days = calendar.monthrange(year, month)[1]
    for name, day in (("перший", first_day), ("останній", last_day)):
        if day is not None and not 1 <= day <= days:
            return f"{name} день {day} поза місяцем {period} (1–{days})"
    first = first_day or min(default_first, days)
    last = last_day or min(default_last, days)
    if first > last:
        return f"перший день ({first}) пізніше за останній ({last})"
    return None


def window_status(
    now: datetime, first_day: int, last_day: int, override: OverrideLookup
) -> WindowStatus:
    today = now.astimezone(KYIV).date()
    first, last = _month_window(today.year, today.month, first_day, last_day, override)
    if today < first:
        next_opening = first
    else:
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        next_opening = _month_window(year, month, first_day, last_day, override)[0]
    return WindowStatus(
        period=period_of(today), first=first, last=last, today=today, next_opening=next_opening
    )


def window_for(session: Session, first_day: int, last_day: int, now: datetime) -> WindowStatus:
    """The window at `now`, with the months staff moved taken from the database."""

    def override(period: str) -> Optional[Tuple[Optional[int], Optional[int]]]:
        row = settings_repo.window_override(session, period)
        return (row.first_day, row.last_day) if row is not None else None

    return window_status(now, first_day, last_day, override)


async def current_window() -> WindowStatus:
    """The window now, for the action server (database read off the event loop)."""
    settings = get_settings()
    now = settings.now()
    return await run_unit_of_work(
        lambda s: window_for(s, settings.window_first_day, settings.window_last_day, now)
    )
