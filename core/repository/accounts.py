"""Accounts, their meters, the links between messenger users and accounts, lookup failures.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.db.models import Account, AccountLink, LookupFailure, Meter
from core.senders import SenderKey


def find_account(session: Session, number: str) -> Optional[Account]:
    return session.execute(select(Account).where(Account.number == number)).scalar_one_or_none()


def lock_account(session: Session, account_id: int) -> None:
    """Makes writers on one account wait for each other until the transaction ends.

    A row lock on PostgreSQL; on SQLite a write takes the database's write lock,
    after which reads see every earlier commit.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Account).where(Account.id == account_id).values(id=Account.id))
    else:
        session.execute(select(Account.id).where(Account.id == account_id).with_for_update())


def linked_accounts(session: Session, sender: SenderKey) -> List[Account]:
    """Active accounts the user has added, in the order they added them."""
    rows = session.execute(
        select(Account)
        .join(AccountLink, AccountLink.account_id == Account.id)
        .where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            Account.active.is_(True),
        )
        .order_by(AccountLink.linked_at, AccountLink.id)
    )
    return list(rows.scalars())


def is_linked(session: Session, sender: SenderKey, account_id: int) -> bool:
    found = session.execute(
        select(AccountLink.id).where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            AccountLink.account_id == account_id,
        )
    ).first()
    return found is not None


def link_account(session: Session, sender: SenderKey, account: Account, now: datetime) -> bool:
    """Links the account to the user; returns False if it was linked already."""
    if is_linked(session, sender, account.id):
        return False
    session.add(
        AccountLink(
            channel=sender.channel, sender_id=sender.sender_id, account_id=account.id, linked_at=now
        )
    )
    session.flush()
    return True


def unlink_account(session: Session, sender: SenderKey, account_id: int) -> bool:
    result = session.execute(
        delete(AccountLink).where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            AccountLink.account_id == account_id,
        )
    )
    return result.rowcount > 0


def active_meters(session: Session, account_id: int) -> List[Meter]:
    rows = session.execute(
        select(Meter)
        .where(Meter.account_id == account_id, Meter.active.is_(True))
        .order_by(Meter.kind, Meter.id)
    )
    return list(rows.scalars())


def record_lookup_failure(session: Session, sender: SenderKey, now: datetime) -> None:
    session.add(LookupFailure(channel=sender.channel, sender_id=sender.sender_id, failed_at=now))
    session.flush()


def lookup_failures_since(session: Session, sender: SenderKey, since: datetime) -> List[datetime]:
    """Times of the user's failed lookups after `since`, oldest first."""
    rows = session.execute(
        select(LookupFailure.failed_at)
        .where(
            LookupFailure.channel == sender.channel,
            LookupFailure.sender_id == sender.sender_id,
            LookupFailure.failed_at > since,
        )
        .order_by(LookupFailure.failed_at)
    )
    return list(rows.scalars())
