"""A month of collection in figures, aggregated by the database, for the console's
month page, `teplo stats` and the summary report: who submitted, by day and
channel, refusals, fallbacks; and, for `teplo stats`, the day each account first
came and the messages the assistant sent first.

Every function takes the caller's session and never commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.models import Account, Meter, Reading, ReadingSource
from core.repository import events as events_repo
from core.repository.outbox import queue as outbox_queue
from core.settings import KYIV, month_bounds


@dataclass
class MonthFigures:
    """What the console's month page shows, aggregated by the database."""

    period: str
    active_accounts: int = 0
    accounts_due: int = 0  # active accounts with at least one active meter
    accounts_submitted: int = 0
    active_meters: int = 0
    meters_submitted: int = 0
    per_day: Dict[date, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rejections: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)

    @property
    def channels(self) -> List[str]:
        return sorted({channel for counts in self.per_day.values() for channel in counts})

    @property
    def by_channel(self) -> Counter:
        total: Counter = Counter()
        for counts in self.per_day.values():
            total.update(counts)
        return total

    @property
    def readings(self) -> int:
        return sum(self.by_channel.values())


def month_figures(session: Session, period: str) -> MonthFigures:
    """The month page's figures in a few aggregate queries.

    Readings are counted by UTC hour in SQL and folded into Kyiv days here:
    Kyiv's offset is a whole number of hours, so an hour never straddles two
    Kyiv days, and neither backend has to know the time zone.
    """
    figures = MonthFigures(period)
    figures.active_accounts = session.execute(
        select(func.count()).select_from(Account).where(Account.active.is_(True))
    ).scalar_one()
    # Grouping by account and counting the groups is a hash aggregate;
    # count(DISTINCT account_id) would sort 300,000 rows on PostgreSQL.
    figures.accounts_due, figures.active_meters = _groups_and_rows(
        session,
        select(Meter.account_id, func.count().label("n"))
        .join(Account, Meter.account_id == Account.id)
        .where(Meter.active.is_(True), Account.active.is_(True))
        .group_by(Meter.account_id),
    )
    figures.accounts_submitted, figures.meters_submitted = _groups_and_rows(
        session, _submitted(period)
    )

    hour = _utc_hour(session, Reading.submitted_at)
    rows = session.execute(
        select(hour, Reading.channel, func.count())
        .where(
            Reading.period == period,
            Reading.in_force,
            Reading.source == ReadingSource.assistant,
        )
        .group_by(hour, Reading.channel)
    )
    for bucket, channel, count in rows:
        figures.per_day[_kyiv_day(bucket)][channel or "?"] += count

    start, end = month_bounds(period)
    figures.rejections, figures.fallbacks = events_repo.month_event_counts(session, start, end)
    return figures


def _submitted(period: str):
    """Active accounts with readings in force through the assistant (active meters), grouped."""
    return (
        select(Meter.account_id, func.count().label("n"))
        .select_from(Reading)
        .join(Meter, Reading.meter_id == Meter.id)
        .join(Account, Meter.account_id == Account.id)
        .where(
            Reading.period == period,
            Reading.in_force,
            Reading.source == ReadingSource.assistant,
            Meter.active.is_(True),
            Account.active.is_(True),
        )
        .group_by(Meter.account_id)
    )


def first_submissions(session: Session, period: str) -> Counter:
    """The accounts counted as submitted, by the Kyiv day they first submitted
    (superseded readings still tell when the subscriber first came)."""
    counted = _submitted(period).subquery()
    rows = session.execute(
        select(Meter.account_id, func.min(Reading.submitted_at))
        .join(Meter, Reading.meter_id == Meter.id)
        .where(
            Reading.period == period,
            Reading.source == ReadingSource.assistant,
            Meter.account_id.in_(select(counted.c.account_id)),
        )
        .group_by(Meter.account_id)
    )
    return Counter(first.astimezone(KYIV).date() for _, first in rows)


def outbox_counts(session: Session, period: str) -> Dict[Tuple[str, str], int]:
    """Messages the assistant sent first, created in the month: {(kind, status): count}."""
    start, end = month_bounds(period)
    return outbox_queue.counts_by_kind_and_status(session, start, end)


def _groups_and_rows(session: Session, grouped) -> Tuple[int, int]:
    """How many groups a grouped query has, and how many rows they hold together."""
    sub = grouped.subquery()
    groups, rows = session.execute(select(func.count(), func.sum(sub.c.n))).one()
    return int(groups or 0), int(rows or 0)


def _utc_hour(session: Session, column):
    if session.get_bind().dialect.name == "sqlite":
        # AwareDateTime stores naive UTC text on SQLite.
        return func.strftime("%Y-%m-%d %H", column)
    # A naive UTC timestamp truncated to the hour; cheaper than formatting every row.
    return func.date_trunc("hour", func.timezone("UTC", column))


def _kyiv_day(bucket) -> date:
    if isinstance(bucket, str):
        bucket = datetime.strptime(bucket, "%Y-%m-%d %H")
    return bucket.replace(tzinfo=timezone.utc).astimezone(KYIV).date()


def period_days(period: str) -> Tuple[date, date]:
    """First and last day of a period."""
    start, end = month_bounds(period)
    return start.date(), (end - timedelta(days=1)).date()
