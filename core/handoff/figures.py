"""A period's cases in figures: opened per day, time to the first answer, time to close."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import Case
from core.settings import KYIV


@dataclass(frozen=True)
class CaseFigures:
    opened: int
    closed: int
    per_day: List[tuple]  # (day, cases opened), days with cases only, in order
    first_reply: Optional[timedelta]  # the median, of answered cases
    to_close: Optional[timedelta]  # the median, of closed cases


def _median(values: List[float]) -> Optional[timedelta]:
    return timedelta(seconds=round(median(values))) if values else None


def case_figures(session: Session, first: date, last: date) -> CaseFigures:
    """Cases opened from `first` to `last` (Kyiv days, inclusive)."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=KYIV)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=KYIV)
    rows = list(
        session.execute(select(Case).where(Case.opened_at >= start, Case.opened_at < end)).scalars()
    )
    days = Counter(row.opened_at.astimezone(KYIV).date() for row in rows)
    return CaseFigures(
        opened=len(rows),
        closed=sum(1 for row in rows if row.closed_at is not None),
        per_day=sorted(days.items()),
        first_reply=_median(
            [(r.first_reply_at - r.opened_at).total_seconds() for r in rows if r.first_reply_at]
        ),
        to_close=_median(
            [(r.closed_at - r.opened_at).total_seconds() for r in rows if r.closed_at]
        ),
    )


def duration_text(value: Optional[timedelta]) -> str:
    """ "—", "12 хв", "3 год 5 хв", "2 дн 4 год"."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} дн {hours} год"
    if hours:
        return f"{hours} год {minutes} хв"
    return f"{minutes} хв"
