"""Quiet hours: nothing goes out at night; what is due then waits for the morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from core.settings import KYIV


def in_quiet_hours(moment: datetime, start: time, end: time) -> bool:
    local = moment.astimezone(KYIV).time()
    if start == end:
        return False
    if start < end:  # e.g. 13:00-14:00
        return start <= local < end
    return local >= start or local < end  # across midnight, e.g. 21:00-09:00


def not_before_quiet_end(moment: datetime, start: time, end: time) -> datetime:
    """`moment` itself if it is outside quiet hours, else the end of those hours."""
    if not in_quiet_hours(moment, start, end):
        return moment
    local = moment.astimezone(KYIV)
    morning = datetime.combine(local.date(), end, tzinfo=KYIV)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=KYIV)
    return morning
