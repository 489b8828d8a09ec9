"""Flags and bars: staff decisions about who holds an account, once for the console
(«Позначки») and `teplo flags`.

Each operation takes `(session, actor, now, …)`, validates, writes its own audit
entry and returns a `Result`; the callers only show it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import List, Tuple

from sqlalchemy.orm import Session

from core.db.models import Account, AccountFlag, HolderNotice, LinkBar
from core.outbox.holders import FLAG_NOT_ME
from core.repository import accounts as accounts_repo
from core.repository import audit as audit_repo
from core.repository import holders as holders_repo
from core.senders import SenderKey
from core.staff.result import Result
from core.texts.accounts import FLAG_REASONS

NOT_ME_QUEUE, LOCKS_QUEUE = "not-me", "locks"
QUEUES = (NOT_ME_QUEUE, LOCKS_QUEUE)
QUEUE_TITLES = {
    NOT_ME_QUEUE: "Повідомлення «Це не я»",
    LOCKS_QUEUE: "Підтвердження рахунків: блокування й підозрілі спроби",
}
PER_PAGE = 50


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue: unresolved first, newest first; never cut silently."""

    queue: str
    rows: List[Tuple[AccountFlag, Account]]
    page: int
    pages: int
    total: int
    unresolved: int


def flag_queue(
    session: Session, queue: str, page: int = 1, per_page: int = PER_PAGE, open_only: bool = False
) -> QueuePage:
    rows, total, unresolved = holders_repo.flag_page(
        session, queue == NOT_ME_QUEUE, page, per_page, open_only
    )
    shown = unresolved if open_only else total
    return QueuePage(queue, rows, page, max(1, math.ceil(shown / per_page)), total, unresolved)


def decide_report(
    session: Session, actor: str, now: datetime, flag_id: int, keep: bool, note: str = ""
) -> Result:
    """Decides a «Це не я» report: `keep` restores the newcomer's suspended link;
    otherwise the newcomer is unlinked and barred from the account."""
    found = session.get(AccountFlag, flag_id)
    if found is None or found.reason != FLAG_NOT_ME or found.notice_id is None:
        return Result.refused("Такого повідомлення «Це не я» немає.")
    if found.resolved_at is not None:
        return Result.refused("Це повідомлення вже опрацьовано.")
    notice = session.get(HolderNotice, found.notice_id)
    account = session.get(Account, found.account_id)
    newcomer = SenderKey(notice.newcomer_channel, notice.newcomer_sender_id)
    accounts_repo.lock_account(session, account.id)
    link = accounts_repo.link_of(session, newcomer, account.id)
    if keep:
        if link is not None:
            link.suspended_at = None
        decision, message = "доступ відновлено", f"Рахунок {account.number}: доступ відновлено."
    else:
        accounts_repo.unlink_account(session, newcomer, account.id)
        holders_repo.bar(session, newcomer, account.id, now)
        decision = "від'єднано, повторне додавання заборонено"
        message = (
            f"Рахунок {account.number}: користувача від'єднано, додати рахунок знову він не зможе."
        )
    found.resolved_at, found.resolved_by = now, actor
    session.flush()
    audit_repo.record_audit(
        session,
        actor,
        "decide_not_me",
        f"рахунок {account.number}",
        {"report": "призупинено"},
        {"report": decision},
        now,
        note,
    )
    return Result.done(message)


def lift_bar(session: Session, actor: str, now: datetime, bar_id: int, note: str = "") -> Result:
    """Lets a barred messenger user link the account again (they still have to prove it)."""
    found = session.get(LinkBar, bar_id)
    if found is None:
        return Result.refused("Такої заборони немає (можливо, її вже знято).")
    account = session.get(Account, found.account_id)
    channel, since = found.channel, found.created_at
    session.delete(found)
    session.flush()
    audit_repo.record_audit(
        session,
        actor,
        "lift_link_bar",
        f"рахунок {account.number}",
        {"bar": f"{channel}, з {since.isoformat(timespec='seconds')}"},
        {"bar": None},
        now,
        note,
    )
    return Result.done(f"Рахунок {account.number}: заборону знято.")


def flag_label(reason: str) -> str:
    return FLAG_REASONS.get(reason, reason)


def resolve_flag(
    session: Session, actor: str, now: datetime, flag_id: int, note: str = ""
) -> Result:
    """Marks one flag handled (the console's list and account page); the value is the account id."""
    found = holders_repo.resolve_flag(session, flag_id, actor, now)
    if found is None:
        return Result.refused("Цю позначку вже опрацьовано.")
    account = session.get(Account, found.account_id)
    audit_repo.record_audit(
        session,
        actor,
        "resolve_flag",
        f"рахунок {account.number}",
        {"flag": flag_label(found.reason), "handled": None},
        {"flag": flag_label(found.reason), "handled": now.isoformat(timespec="seconds")},
        now,
        note,
    )
    return Result.done("Позначку опрацьовано.", account.id)


def resolve_account_flags(
    session: Session, actor: str, now: datetime, number: str, note: str = ""
) -> Result:
    """Marks every open flag of an account handled (`teplo flags resolve`)."""
    account = accounts_repo.find_account(session, number.strip())
    if account is None:
        return Result.refused(f"Рахунку {number.strip()} немає в базі.")
    open_reasons = [
        flag_label(found.reason)
        for found in holders_repo.flags_of_account(session, account.id)
        if found.resolved_at is None
    ]
    resolved = holders_repo.resolve_flags(session, account.id, actor, now)
    if resolved:
        audit_repo.record_audit(
            session,
            actor,
            "resolve_flag",
            f"рахунок {account.number}",
            {"flags": open_reasons, "handled": None},
            {"flags": open_reasons, "handled": now.isoformat(timespec="seconds")},
            now,
            note,
        )
    return Result.done(f"Рахунок {account.number}: знято прапорців — {resolved}.", account.id)
