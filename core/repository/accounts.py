"""Accounts, their meters, the links between messenger users and accounts, lookup failures.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import List, Optional, Set

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.db.models import Account, AccountLink, AccountLookup, Meter, OwnershipProof
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
    """Active accounts the user has added and proved, in the order they added them."""
    rows = session.execute(
        select(Account)
        .join(AccountLink, AccountLink.account_id == Account.id)
        .where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            AccountLink.proved_at.is_not(None),
            Account.active.is_(True),
        )
        .order_by(AccountLink.linked_at, AccountLink.id)
    )
    return list(rows.scalars())


def _link_of(session: Session, sender: SenderKey, account_id: int) -> Optional[AccountLink]:
    return session.execute(
        select(AccountLink).where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            AccountLink.account_id == account_id,
        )
    ).scalar_one_or_none()


def is_linked(session: Session, sender: SenderKey, account_id: int) -> bool:
    """Whether the user holds the account: linked and proved."""
    link = _link_of(session, sender, account_id)
    return link is not None and link.proved_at is not None


def has_unproved_links(session: Session, sender: SenderKey) -> bool:
    """Whether the user has links made before proofs existed, still unproved."""
    found = session.execute(
        select(AccountLink.id).where(
            AccountLink.channel == sender.channel,
            AccountLink.sender_id == sender.sender_id,
            AccountLink.proved_at.is_(None),
        )
    ).first()
    return found is not None


def link_account(session: Session, sender: SenderKey, account: Account, now: datetime) -> bool:
    """Links the account to a user who has just proved it; returns False if they
    held it already (an old unproved link becomes proved and counts as held)."""
    link = _link_of(session, sender, account.id)
    if link is not None:
        if link.proved_at is None:
            link.proved_at = now
            session.flush()
        return False
    session.add(
        AccountLink(
            channel=sender.channel,
            sender_id=sender.sender_id,
            account_id=account.id,
            linked_at=now,
            proved_at=now,
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


def record_lookup(session: Session, sender: SenderKey, now: datetime) -> None:
    """Counts one lookup of an account the user has not linked (found or not)."""
    session.add(AccountLookup(channel=sender.channel, sender_id=sender.sender_id, looked_up_at=now))
    session.flush()


def lookups_since(session: Session, sender: SenderKey, since: datetime) -> List[datetime]:
    """Times of the user's counted lookups after `since`, oldest first."""
    rows = session.execute(
        select(AccountLookup.looked_up_at)
        .where(
            AccountLookup.channel == sender.channel,
            AccountLookup.sender_id == sender.sender_id,
            AccountLookup.looked_up_at > since,
        )
        .order_by(AccountLookup.looked_up_at)
    )
    return list(rows.scalars())


def channel_lookups_since(session: Session, channel: str, since: datetime) -> List[datetime]:
    """Times of every counted lookup on a channel after `since`, oldest first."""
    rows = session.execute(
        select(AccountLookup.looked_up_at)
        .where(AccountLookup.channel == channel, AccountLookup.looked_up_at > since)
        .order_by(AccountLookup.looked_up_at)
    )
    return list(rows.scalars())


def purge_lookups(session: Session, before: datetime) -> int:
    """Deletes counted lookups that no limit looks at any more."""
    return session.execute(
        delete(AccountLookup).where(AccountLookup.looked_up_at < before)
    ).rowcount


def record_proof(
    session: Session, sender: SenderKey, account_id: int, succeeded: bool, now: datetime
) -> None:
    session.add(
        OwnershipProof(
            account_id=account_id,
            channel=sender.channel,
            sender_id=sender.sender_id,
            succeeded=succeeded,
            attempted_at=now,
        )
    )
    session.flush()


def wrong_proofs_since(session: Session, account_id: int, since: datetime) -> int:
    """Wrong answers for the account after `since`, by anyone."""
    return session.execute(
        select(func.count()).where(
            OwnershipProof.account_id == account_id,
            OwnershipProof.succeeded.is_(False),
            OwnershipProof.attempted_at > since,
        )
    ).scalar_one()


def proved_since(session: Session, sender: SenderKey, account_id: int, since: datetime) -> bool:
    """Whether the user gave a right answer for the account after `since`."""
    found = session.execute(
        select(OwnershipProof.id).where(
            OwnershipProof.account_id == account_id,
            OwnershipProof.channel == sender.channel,
            OwnershipProof.sender_id == sender.sender_id,
            OwnershipProof.succeeded.is_(True),
            OwnershipProof.attempted_at > since,
        )
    ).first()
    return found is not None


def purge_proofs(session: Session, before: datetime) -> int:
    """Deletes proof attempts that no limit looks at any more."""
    return session.execute(
        delete(OwnershipProof).where(OwnershipProof.attempted_at < before)
    ).rowcount


def personal_words(session: Session) -> Set[str]:
    """Every word of the owners' names and of the street names, casefolded: what
    must never reach a review file or the training data. Street-type words
    ("вул.", "просп.") and one-letter words are left out."""
    words: Set[str] = set()
    for owner, street in session.execute(select(Account.owner_name, Account.street)):
        for text in (owner or "", street or ""):
            for word in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", text):
                if len(word) > 2 and word.casefold() not in STREET_TYPES:
                    words.add(word.casefold())
    return words


STREET_TYPES = {
    "вул",
    "вулиця",
    "просп",
    "проспект",
    "пров",
    "провулок",
    "бул",
    "бульвар",
    "пл",
    "площа",
    "шосе",
    "узвіз",
    "проїзд",
    "ул",
    "улица",
}
