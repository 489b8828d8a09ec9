"""Account holders' safeguards: notices about newcomers, relinking bars, staff flags,
receipt opt-outs.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.db.models import (
    Account,
    AccountFlag,
    AccountLink,
    HolderNotice,
    LinkBar,
    ReceiptOptOut,
)
from core.senders import SenderKey, sender_digest

NOT_ME = "not_me"  # the «Це не я» reports' kind (core.outbox.holders.FLAG_NOT_ME)


def other_holders(session: Session, account_id: int, besides: SenderKey) -> List[SenderKey]:
    rows = session.execute(
        select(AccountLink.channel, AccountLink.sender_id)
        .where(
            AccountLink.account_id == account_id,
            AccountLink.proved_at.is_not(None),
            AccountLink.suspended_at.is_(None),
        )
        .order_by(AccountLink.linked_at, AccountLink.id)
    )
    return [
        SenderKey(channel, sender_id)
        for channel, sender_id in rows
        if (channel, sender_id) != (besides.channel, besides.sender_id)
    ]


def add_notice(
    session: Session,
    token: str,
    account_id: int,
    holder: SenderKey,
    newcomer: SenderKey,
    now: datetime,
) -> None:
    session.add(
        HolderNotice(
            token=token,
            account_id=account_id,
            holder_channel=holder.channel,
            holder_sender_id=holder.sender_id,
            newcomer_channel=newcomer.channel,
            newcomer_sender_id=newcomer.sender_id,
            created_at=now,
        )
    )
    session.flush()


def notice_for(session: Session, token: str, holder: SenderKey) -> Optional[HolderNotice]:
    """The notice with this token, only if it was sent to this holder."""
    return session.execute(
        select(HolderNotice).where(
            HolderNotice.token == token,
            HolderNotice.holder_channel == holder.channel,
            HolderNotice.holder_sender_id == holder.sender_id,
        )
    ).scalar_one_or_none()


def is_barred(session: Session, sender: SenderKey, account_id: int) -> bool:
    """Also when the user asked to be forgotten meanwhile: their bar stays as a digest."""
    return (
        session.execute(
            select(LinkBar.id).where(
                LinkBar.account_id == account_id,
                LinkBar.channel == sender.channel,
                LinkBar.sender_id.in_([sender.sender_id, sender_digest(sender)]),
            )
        ).first()
        is not None
    )


def bar(session: Session, sender: SenderKey, account_id: int, now: datetime) -> None:
    if not is_barred(session, sender, account_id):
        session.add(
            LinkBar(
                account_id=account_id,
                channel=sender.channel,
                sender_id=sender.sender_id,
                created_at=now,
            )
        )
        session.flush()


def flag(
    session: Session,
    account_id: int,
    reason: str,
    now: datetime,
    notice_id: Optional[int] = None,
) -> None:
    session.add(
        AccountFlag(account_id=account_id, reason=reason, created_at=now, notice_id=notice_id)
    )
    session.flush()


def bars_of_account(session: Session, account_id: int) -> List[LinkBar]:
    rows = session.execute(
        select(LinkBar).where(LinkBar.account_id == account_id).order_by(LinkBar.created_at.desc())
    )
    return list(rows.scalars())


def has_open_flag(session: Session, account_id: int, reason: str) -> bool:
    found = session.execute(
        select(AccountFlag.id).where(
            AccountFlag.account_id == account_id,
            AccountFlag.reason == reason,
            AccountFlag.resolved_at.is_(None),
        )
    ).first()
    return found is not None


def last_resolved(session: Session, account_id: int, reason: str) -> Optional[datetime]:
    """When staff last resolved a flag of this kind on the account, if ever."""
    return session.execute(
        select(func.max(AccountFlag.resolved_at)).where(
            AccountFlag.account_id == account_id, AccountFlag.reason == reason
        )
    ).scalar_one()


def resolve_flags(session: Session, account_id: int, by: str, now: datetime) -> int:
    """Marks the account's open flags as looked into; returns how many."""
    return session.execute(
        update(AccountFlag)
        .where(AccountFlag.account_id == account_id, AccountFlag.resolved_at.is_(None))
        .values(resolved_at=now, resolved_by=by)
    ).rowcount


def open_flags(session: Session) -> List[Tuple[str, str, datetime]]:
    """(account number, reason, when) of flags staff have not resolved, oldest first."""
    rows = session.execute(
        select(Account.number, AccountFlag.reason, AccountFlag.created_at)
        .join(Account, Account.id == AccountFlag.account_id)
        .where(AccountFlag.resolved_at.is_(None))
        .order_by(AccountFlag.created_at, AccountFlag.id)
    )
    return [(number, reason, at) for number, reason, at in rows]


def receipts_off(session: Session, sender: SenderKey) -> bool:
    return (
        session.execute(
            select(ReceiptOptOut.id).where(
                ReceiptOptOut.channel == sender.channel,
                ReceiptOptOut.sender_id == sender.sender_id,
            )
        ).first()
        is not None
    )


def turn_receipts_off(session: Session, sender: SenderKey, now: datetime) -> None:
    if not receipts_off(session, sender):
        session.add(
            ReceiptOptOut(channel=sender.channel, sender_id=sender.sender_id, created_at=now)
        )
        session.flush()


def flags_of_account(session: Session, account_id: int) -> List[AccountFlag]:
    """Every flag of the account, open ones first, newest first."""
    rows = session.execute(
        select(AccountFlag)
        .where(AccountFlag.account_id == account_id)
        .order_by(AccountFlag.resolved_at.is_not(None), AccountFlag.created_at.desc())
    )
    return list(rows.scalars())


def flag_page(
    session: Session, not_me: bool, page: int, per_page: int, open_only: bool = False
) -> Tuple[List[Tuple[AccountFlag, Account]], int, int]:
    """One page of a queue of flags: the «Це не я» reports (`not_me`) or every other
    kind; unresolved first, newest first, then handled ones (unless `open_only`);
    with the queue's total and how many are unresolved."""
    where = [AccountFlag.reason == NOT_ME if not_me else AccountFlag.reason != NOT_ME]
    total, unresolved = session.execute(
        select(func.count(), func.count(AccountFlag.id).filter(AccountFlag.resolved_at.is_(None)))
        .select_from(AccountFlag)
        .where(*where)
    ).one()
    if open_only:
        where.append(AccountFlag.resolved_at.is_(None))
    rows = session.execute(
        select(AccountFlag, Account)
        .join(Account, Account.id == AccountFlag.account_id)
        .where(*where)
        .order_by(
            AccountFlag.resolved_at.is_not(None),
            AccountFlag.created_at.desc(),
            AccountFlag.id.desc(),
        )
        .offset(max(page - 1, 0) * per_page)
        .limit(per_page)
    )
    return [(flag_row, account) for flag_row, account in rows], total, unresolved


def all_bars(session: Session, limit: int) -> Tuple[List[Tuple[LinkBar, Account]], int]:
    """Relinking bars, newest first (at most `limit`), with how many there are."""
    total = session.execute(select(func.count()).select_from(LinkBar)).scalar_one()
    rows = session.execute(
        select(LinkBar, Account)
        .join(Account, Account.id == LinkBar.account_id)
        .order_by(LinkBar.created_at.desc(), LinkBar.id.desc())
        .limit(limit)
    )
    return [(bar_row, account) for bar_row, account in rows], total


def resolve_flag(
    session: Session, flag_id: int, username: str, now: datetime
) -> Optional[AccountFlag]:
    """Marks a flag handled; None if there is no such flag or it was handled already."""
    found = session.get(AccountFlag, flag_id)
    if found is None or found.resolved_at is not None:
        return None
    found.resolved_at, found.resolved_by = now, username
    session.flush()
    return found
