"""What other holders of an account learn: a notice when someone else links it
or proves a link made before proofs existed (with «Це не я», which suspends the
newcomer's link until staff decide, `core.staff.flags`) and a receipt when
readings are saved for it.

«Це не я» protects rather than evicts: only a holder whose proved link is older
than the newcomer's may press it, the button works for `NOT_ME_VALID` (7 days)
and dies when its holder is unlinked; while the report is open, anyone else who
links the account waits for staff too (a barred user cannot come back on a
second id unseen).

Both tell which messenger and when, never who.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Optional

from sqlalchemy.orm import Session

from core.db.models import Account, OutboxKind
from core.outbox.config import load_outbox_config
from core.outbox.quiet import not_before_quiet_end
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.repository.outbox import queue as outbox_queue
from core.senders import SenderKey
from core.texts import outbox as texts

FLAG_NOT_ME = "not_me"
NOT_ME_VALID = timedelta(days=7)


def _not_before(now: datetime) -> datetime:
    config = load_outbox_config()
    return not_before_quiet_end(now, config.quiet_start, config.quiet_end)


def notify_link(session: Session, newcomer: SenderKey, account: Account, now: datetime) -> int:
    """Notices to the account's other holders that `newcomer` linked it; returns how many."""
    planned = []
    for holder in holders_repo.other_holders(session, account.id, newcomer):
        token = secrets.token_urlsafe(9)  # 12 characters; fits Telegram's 64-byte buttons
        holders_repo.add_notice(session, token, account.id, holder, newcomer, now)
        planned.append(
            outbox_queue.Planned(
                key=f"notice:link:{token}",
                kind=OutboxKind.notice.value,
                sender=holder,
                text=texts.link_notice_text(account.number, newcomer.channel, now),
                buttons=[texts.not_me_button(token)],
                not_before=_not_before(now),
            )
        )
    outbox_queue.enqueue(session, planned, now)
    return len(planned)


def notify_readings_saved(
    session: Session, submitter: SenderKey, account_number: str, period: str, now: datetime
) -> int:
    """Receipts to the account's other holders (those who did not turn them off)."""
    account = accounts_repo.find_account(session, account_number)
    if account is None:
        return 0
    stamp = now.strftime("%Y%m%d%H%M%S")
    planned = [
        outbox_queue.Planned(
            key=f"receipt:{account.id}:{period}:{stamp}:{holder.sender_id}",
            kind=OutboxKind.receipt.value,
            sender=holder,
            text=texts.receipt_text(account.number, period, submitter.channel, now),
            buttons=[texts.RECEIPTS_OFF_BUTTON],
            not_before=_not_before(now),
        )
        for holder in holders_repo.other_holders(session, account.id, submitter)
        if not holders_repo.receipts_off(session, holder)
    ]
    outbox_queue.enqueue(session, planned, now)
    return len(planned)


class DisownStatus(str, Enum):
    SUSPENDED = "suspended"  # done now: the newcomer waits for staff
    ALREADY = "already"  # pressed before
    EXPIRED = "expired"  # older than NOT_ME_VALID
    NOT_HOLDER = "not_holder"  # the presser no longer holds the account, or came later
    GONE = "gone"  # the newcomer is no longer linked


@dataclass(frozen=True)
class Disowned:
    account_number: str
    status: DisownStatus

    @property
    def already(self) -> bool:
        return self.status is DisownStatus.ALREADY


def disown(session: Session, holder: SenderKey, token: str, now: datetime) -> Optional[Disowned]:
    """«Це не я»: suspends the newcomer's link and flags the account for staff.

    None if the token is unknown or was not sent to this holder.
    """
    notice = holders_repo.notice_for(session, token, holder)
    if notice is None:
        return None
    account = session.get(Account, notice.account_id)
    accounts_repo.lock_account(session, account.id)
    if notice.disowned_at is not None:
        return Disowned(account.number, DisownStatus.ALREADY)
    if now - notice.created_at > NOT_ME_VALID:
        return Disowned(account.number, DisownStatus.EXPIRED)
    newcomer = SenderKey(notice.newcomer_channel, notice.newcomer_sender_id)
    mine = accounts_repo.link_of(session, holder, account.id)
    theirs = accounts_repo.link_of(session, newcomer, account.id)
    if theirs is None or theirs.proved_at is None:
        return Disowned(account.number, DisownStatus.GONE)
    if (
        mine is None
        or mine.proved_at is None
        or mine.suspended_at is not None
        or mine.proved_at >= theirs.proved_at
    ):
        return Disowned(account.number, DisownStatus.NOT_HOLDER)
    theirs.suspended_at = now
    notice.disowned_at = now
    holders_repo.flag(session, account.id, FLAG_NOT_ME, now, notice_id=notice.id)
    session.flush()
    return Disowned(account.number, DisownStatus.SUSPENDED)


def link_waits_for_staff(session: Session, account_id: int) -> bool:
    """Whether new links of the account are suspended: a «Це не я» report is open."""
    return holders_repo.has_open_flag(session, account_id, FLAG_NOT_ME)


def is_barred(session: Session, sender: SenderKey, account_id: int) -> bool:
    return holders_repo.is_barred(session, sender, account_id)


def receipts_off(session: Session, sender: SenderKey, now: datetime) -> str:
    holders_repo.turn_receipts_off(session, sender, now)
    return texts.RECEIPTS_OFF_TEXT
