"""A month of collection in figures: who submitted, by day and channel, refusals, fallbacks."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Dict, List, Tuple

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from core.db.models import Account, Meter, Reading, ReadingSource
from core.repository import events as events_repo
from core.repository.outbox import queue as outbox_queue
from core.settings import month_bounds


@dataclass
class MonthStats:
    period: str
    active_accounts: int = 0
    accounts_with_meters: int = 0
    accounts_with_readings: int = 0
    active_meters: int = 0
    meters_with_readings: int = 0
    # Readings in force taken by the assistant, by Kyiv day and channel.
    per_day: Dict[date, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # Accounts counted in `accounts_with_readings`, by the day of their first submission.
    first_submissions: Counter = field(default_factory=Counter)
    rejections: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)
    # Messages the assistant sent first, created this month: {(kind, status): count}.
    outbox: Dict[Tuple[str, str], int] = field(default_factory=dict)

    @property
    def channels(self) -> List[str]:
        return sorted({channel for counts in self.per_day.values() for channel in counts})

    @property
    def readings(self) -> int:
        return sum(sum(counts.values()) for counts in self.per_day.values())


def month_stats(session: Session, period: str) -> MonthStats:
    stats = MonthStats(period)
    stats.active_accounts = session.execute(
        select(func.count(Account.id)).where(Account.active.is_(True))
    ).scalar_one()
    stats.active_meters, stats.accounts_with_meters = session.execute(
        select(func.count(Meter.id), func.count(distinct(Meter.account_id)))
        .join(Account, Meter.account_id == Account.id)
        .where(Meter.active.is_(True), Account.active.is_(True))
    ).one()

    rows = session.execute(
        select(
            Meter.account_id,
            Reading.meter_id,
            Reading.submitted_at,
            Reading.channel,
            Reading.in_force,
            Account.active,
        )
        .join(Meter, Reading.meter_id == Meter.id)
        .join(Account, Meter.account_id == Account.id)
        .where(Reading.period == period, Reading.source == ReadingSource.assistant)
    )
    first_day: Dict[int, date] = {}
    counted, meters = set(), set()
    for account_id, meter_id, submitted_at, channel, in_force, active in rows:
        day = submitted_at.date()  # AwareDateTime gives Kyiv time
        # Superseded readings still tell when the subscriber first came.
        first_day[account_id] = min(day, first_day.get(account_id, day))
        if not in_force:
            continue
        stats.per_day[day][channel] += 1
        if active:
            counted.add(account_id)
            meters.add(meter_id)
    stats.accounts_with_readings, stats.meters_with_readings = len(counted), len(meters)
    stats.first_submissions = Counter(first_day[account_id] for account_id in counted)

    start, end = month_bounds(period)
    stats.rejections, stats.fallbacks = events_repo.month_event_counts(session, start, end)
    stats.outbox = outbox_queue.counts_by_kind_and_status(session, start, end)
    return stats
