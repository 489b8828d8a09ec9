"""Office hours for cases: `CASE_HOURS` («1-5 08:00-17:00»: weekdays 1..7 and Kyiv time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from core.settings import KYIV, env_str

DEFAULT_HOURS = "1-5 08:00-17:00"
_PATTERN = re.compile(r"^\s*([1-7])-([1-7])\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OfficeHours:
    first_day: int  # ISO weekday, 1 = Monday
    last_day: int
    opens: time
    closes: time

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(KYIV)
        return (
            self.first_day <= local.isoweekday() <= self.last_day
            and self.opens <= local.time() < self.closes
        )

    def next_opening(self, moment: datetime) -> datetime:
        """When a clerk is next at work: `moment` itself during office hours."""
        local = moment.astimezone(KYIV)
        if self.is_open(local):
            return local
        day = local.date()
        for _ in range(8):
            opening = datetime.combine(day, self.opens, tzinfo=KYIV)
            if opening > local and self.first_day <= day.isoweekday() <= self.last_day:
                return opening
            day += timedelta(days=1)
        return local  # pragma: no cover - a week always has a working day


def office_hours() -> OfficeHours:
    """The configured hours; a malformed value falls back to the default."""
    match = _PATTERN.match(env_str("CASE_HOURS") or DEFAULT_HOURS) or _PATTERN.match(DEFAULT_HOURS)
    assert match is not None
    first, last, oh, om, ch, cm = (int(part) for part in match.groups())
    return OfficeHours(first, last, time(oh, om), time(ch, cm))
