"""Accounts, their meters, the links between messenger users and accounts, lookup failures.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Dict, List, Optional, Set

from sqlalchemy import and_, delete, func, or_, select, update
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
            AccountLink.suspended_at.is_(None),
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


def link_of(session: Session, sender: SenderKey, account_id: int) -> Optional[AccountLink]:
    """The user's link to the account, whatever its state."""
    return _link_of(session, sender, account_id)


def is_linked(session: Session, sender: SenderKey, account_id: int) -> bool:
    """Whether the user holds the account: linked, proved and not suspended."""
    link = _link_of(session, sender, account_id)
    return link is not None and link.proved_at is not None and link.suspended_at is None


def is_suspended(session: Session, sender: SenderKey, account_id: int) -> bool:
    """Whether the user's link waits for staff after «Це не я»."""
    link = _link_of(session, sender, account_id)
    return link is not None and link.suspended_at is not None


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


LINKED, REPROVED, HELD_BEFORE = "linked", "reproved", "held"


def link_account(
    session: Session,
    sender: SenderKey,
    account: Account,
    now: datetime,
    suspended: bool = False,
) -> str:
    """Links the account to a user who has just proved it and uses the proof up.

    Returns `LINKED` for a new link, `REPROVED` when a link made before proofs
    existed becomes proved (the other holders learn of it like of a new link),
    `HELD_BEFORE` when the user held it already. `suspended`: the link waits
    for staff (an open «Це не я» report on the account).
    """
    _use_proofs(session, sender, account.id, now)
    link = _link_of(session, sender, account.id)
    if link is not None:
        if link.proved_at is not None:
            return HELD_BEFORE
        link.proved_at = now
        link.suspended_at = now if suspended else None
        session.flush()
        return REPROVED
    session.add(
        AccountLink(
            channel=sender.channel,
            sender_id=sender.sender_id,
            account_id=account.id,
            linked_at=now,
            proved_at=now,
            suspended_at=now if suspended else None,
        )
    )
    session.flush()
    return LINKED


def _use_proofs(session: Session, sender: SenderKey, account_id: int, now: datetime) -> None:
    session.execute(
        update(OwnershipProof)
        .where(
            OwnershipProof.account_id == account_id,
            OwnershipProof.channel == sender.channel,
            OwnershipProof.sender_id == sender.sender_id,
            OwnershipProof.succeeded.is_(True),
            OwnershipProof.used_at.is_(None),
        )
        .values(used_at=now)
    )


def unlink_account(session: Session, sender: SenderKey, account_id: int) -> bool:
    """Removes the link and the user's right answers for the account (wrong ones
    keep counting against the limits)."""
    session.execute(
        delete(OwnershipProof).where(
            OwnershipProof.account_id == account_id,
            OwnershipProof.channel == sender.channel,
            OwnershipProof.sender_id == sender.sender_id,
            OwnershipProof.succeeded.is_(True),
        )
    )
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


def serials_of(session: Session, meter_ids: List[int]) -> Dict[int, str]:
    """The meters' full serials (slots keep them masked)."""
    rows = session.execute(select(Meter.id, Meter.serial).where(Meter.id.in_(meter_ids)))
    return {meter_id: serial for meter_id, serial in rows}


def record_lookup(
    session: Session, sender: SenderKey, now: datetime, account_id: Optional[int] = None
) -> None:
    """Counts one lookup of an account the user has not linked (found or not)."""
    session.add(
        AccountLookup(
            channel=sender.channel,
            sender_id=sender.sender_id,
            looked_up_at=now,
            account_id=account_id,
        )
    )
    session.flush()


def looked_up_accounts_since(
    session: Session, sender: SenderKey, since: datetime
) -> Dict[int, datetime]:
    """The existing accounts the user looked up after `since`, with the first time."""
    rows = session.execute(
        select(AccountLookup.account_id, func.min(AccountLookup.looked_up_at))
        .where(
            AccountLookup.channel == sender.channel,
            AccountLookup.sender_id == sender.sender_id,
            AccountLookup.looked_up_at > since,
            AccountLookup.account_id.is_not(None),
        )
        .group_by(AccountLookup.account_id)
    )
    return {account_id: first for account_id, first in rows}


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


def channel_lookup_count_since(session: Session, channel: str, since: datetime) -> int:
    """How many lookups were counted on a channel after `since`."""
    return session.execute(
        select(func.count()).where(
            AccountLookup.channel == channel, AccountLookup.looked_up_at > since
        )
    ).scalar_one()


def purge_lookups(session: Session, before: datetime) -> int:
    """Deletes counted lookups that no limit looks at any more."""
    return session.execute(
        delete(AccountLookup).where(AccountLookup.looked_up_at < before)
    ).rowcount


def record_proof(
    session: Session,
    sender: SenderKey,
    account_id: int,
    succeeded: bool,
    now: datetime,
    method: str = "digits",
) -> None:
    session.add(
        OwnershipProof(
            account_id=account_id,
            channel=sender.channel,
            sender_id=sender.sender_id,
            succeeded=succeeded,
            attempted_at=now,
            method=method,
        )
    )
    session.flush()


def wrong_proof_times(
    session: Session, sender: SenderKey, since: datetime, account_id: Optional[int] = None
) -> List[datetime]:
    """Times of the user's wrong answers after `since` (for one account, or any), oldest first."""
    query = select(OwnershipProof.attempted_at).where(
        OwnershipProof.channel == sender.channel,
        OwnershipProof.sender_id == sender.sender_id,
        OwnershipProof.succeeded.is_(False),
        OwnershipProof.attempted_at > since,
    )
    if account_id is not None:
        query = query.where(OwnershipProof.account_id == account_id)
    return list(session.execute(query.order_by(OwnershipProof.attempted_at)).scalars())


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
    """Whether the user gave a right answer for the account after `since`, not used yet."""
    found = session.execute(
        select(OwnershipProof.id).where(
            OwnershipProof.account_id == account_id,
            OwnershipProof.channel == sender.channel,
            OwnershipProof.sender_id == sender.sender_id,
            OwnershipProof.succeeded.is_(True),
            OwnershipProof.used_at.is_(None),
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


# --- staff: search and an account's page ---------------------------------------------


def search_accounts(session: Session, text: str, limit: int = 50) -> List[Account]:
    """Accounts whose number starts with the digits given, or whose address contains the words."""
    text = " ".join(text.split())
    if not text:
        return []
    digits = "".join(ch for ch in text if ch.isdigit())
    conditions = []
    if digits and len(digits) == len(text.replace(" ", "").replace("-", "")):
        conditions.append(Account.number.like(f"{digits}%"))
    else:
        # Every word must appear in street, house or apartment ("Соборності 12 5").
        address = Account.street + " " + Account.house + " " + Account.apartment
        words = [word for word in text.replace(",", " ").split() if word]
        conditions.append(and_(*(_contains(address, word) for word in words)))
    rows = session.execute(
        select(Account).where(or_(*conditions)).order_by(Account.number).limit(limit)
    )
    return list(rows.scalars())


def _contains(address, word: str):
    # SQLite's lower() folds ASCII only: also try the word as typed and capitalised.
    return or_(
        func.lower(address).contains(word.lower()),
        address.contains(word),
        address.contains(word[:1].upper() + word[1:].lower()),
    )


def account_by_id(session: Session, account_id: int) -> Optional[Account]:
    return session.get(Account, account_id)


def account_meters(session: Session, account_id: int) -> List[Meter]:
    """All meters of the account, active first."""
    rows = session.execute(
        select(Meter)
        .where(Meter.account_id == account_id)
        .order_by(Meter.active.desc(), Meter.kind, Meter.id)
    )
    return list(rows.scalars())


def account_links(session: Session, account_id: int) -> List[AccountLink]:
    rows = session.execute(
        select(AccountLink)
        .where(AccountLink.account_id == account_id)
        .order_by(AccountLink.linked_at, AccountLink.id)
    )
    return list(rows.scalars())
