"""Test shorthand for the outbox: subscribers linked to messenger users, a clock that runs."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import Account, AccountLink, MessengerUser, Meter, MeterKind, OutboxMessage
from core.senders import SenderKey, qualify
from core.settings import KYIV


def add_account(session: Session, number: str, kinds=("heat", "hot_water")) -> Account:
    account = Account(number=number, street="вул. Соборності", house="1", apartment="2")
    session.add(account)
    session.flush()
    for index, kind in enumerate(kinds):
        session.add(
            Meter(
                account_id=account.id,
                serial=f"S{number}{index}",
                kind=MeterKind(kind),
                unit="Gcal" if kind == "heat" else "m3",
                decimals=3,
                location="",
            )
        )
    session.flush()
    return account


def link(
    session: Session, sender: SenderKey, account: Account, at: datetime, proved: bool = True
) -> None:
    """A link its user has proved (see core/accounts/ownership.py), or, with
    `proved=False`, one made before proofs existed."""
    session.add(
        AccountLink(
            channel=sender.channel,
            sender_id=sender.sender_id,
            account_id=account.id,
            linked_at=at,
            proved_at=at if proved else None,
        )
    )
    session.flush()


def user(channel: str, user_id: object) -> SenderKey:
    return SenderKey(channel, qualify(channel, user_id))


def set_user(
    session: Session,
    sender: SenderKey,
    at: datetime,
    subscribed: bool = True,
    reminders: bool = True,
) -> None:
    row = session.execute(
        select(MessengerUser).where(
            MessengerUser.channel == sender.channel, MessengerUser.sender_id == sender.sender_id
        )
    ).scalar_one_or_none()
    if row is None:
        row = MessengerUser(channel=sender.channel, sender_id=sender.sender_id, updated_at=at)
        session.add(row)
    row.subscribed, row.reminders_enabled = subscribed, reminders
    session.flush()


def outbox(session: Session, kind: Optional[str] = None) -> List[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.execute(query).scalars())


LINKED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=KYIV)


def three_linked_users(session: Session) -> Account:
    """Account 0300001 (вул. Соборності) linked to Telegram users 300..302 on 1 November."""
    account = add_account(session, "0300001")
    for n in range(3):
        link(session, user("telegram", 300 + n), account, LINKED_AT)
    return account
