"""Accounts that have not submitted the month's readings yet, for clerks' calls and letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Optional, Set

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.models import Account, AccountLink, Meter, Reading

COLUMNS = (
    "account_number",
    "owner_name",
    "street",
    "house",
    "apartment",
    "meters_without_reading",
    "meters",
    "last_submitted_at",
    "messengers",
)


@dataclass(frozen=True)
class MissingAccount:
    account_number: str
    owner_name: str
    street: str
    house: str
    apartment: str
    meters_without_reading: int
    meters: int
    last_submitted_at: Optional[datetime]  # of any earlier reading in force
    messengers: str  # channels the holder uses, "telegram, viber"; "" means a letter

    def cells(self) -> List[str]:
        when = self.last_submitted_at
        return [
            self.account_number,
            self.owner_name,
            self.street,
            self.house,
            self.apartment,
            str(self.meters_without_reading),
            str(self.meters),
            f"{when:%d.%m.%Y}" if when else "",
            self.messengers,
        ]


def missing_accounts(session: Session, period: str) -> List[MissingAccount]:
    """Active accounts with an active meter that has no reading in force for the
    period, from any source (a reading billing took counts as submitted)."""
    meters = session.execute(
        select(Account, Meter.id)
        .join(Meter, Meter.account_id == Account.id)
        .where(Account.active.is_(True), Meter.active.is_(True))
        .order_by(Account.number, Meter.id)
    ).all()
    submitted: Set[int] = set(
        session.execute(
            select(Reading.meter_id).where(Reading.period == period, Reading.in_force.is_(True))
        ).scalars()
    )
    last: Dict[int, datetime] = dict(
        session.execute(
            select(Meter.account_id, func.max(Reading.submitted_at))
            .join(Meter, Reading.meter_id == Meter.id)
            .where(Reading.in_force.is_(True), Reading.period < period)
            .group_by(Meter.account_id)
        ).all()
    )
    channels: Dict[int, Set[str]] = {}
    for account_id, channel in session.execute(
        select(AccountLink.account_id, AccountLink.channel).where(
            AccountLink.proved_at.is_not(None)
        )
    ):
        channels.setdefault(account_id, set()).add(channel)
    by_account: Dict[int, List] = {}
    for account, meter_id in meters:
        by_account.setdefault(account.id, [account, 0, 0])
        entry = by_account[account.id]
        entry[2] += 1
        entry[1] += meter_id not in submitted
    return [
        MissingAccount(
            account.number,
            account.owner_name,
            account.street,
            account.house,
            account.apartment,
            without,
            total,
            last.get(account.id),
            ", ".join(sorted(channels.get(account.id, ()))),
        )
        for account, without, total in by_account.values()
        if without
    ]
