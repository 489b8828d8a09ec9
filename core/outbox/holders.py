"""What other holders of an account learn: a notice when someone else links it
(with «Це не я», which unlinks the newcomer, bars them from relinking and flags
the account for staff) and a receipt when readings are saved for it.

Both tell which messenger and when, never who.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy.orm import Session

from core.db.models import Account, OutboxKind
from core.outbox.config import load_outbox_config
from core.outbox.quiet import not_before_quiet_end
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.repository import outbox as outbox_repo
from core.senders import SenderKey
from core.texts import outbox as texts

FLAG_NOT_ME = "not_me"


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
            outbox_repo.Planned(
                key=f"notice:link:{token}",
                kind=OutboxKind.notice.value,
                sender=holder,
                text=texts.link_notice_text(account.number, newcomer.channel, now),
                buttons=[texts.not_me_button(token)],
                not_before=_not_before(now),
            )
        )
    outbox_repo.enqueue(session, planned, now)
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
        outbox_repo.Planned(
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
    outbox_repo.enqueue(session, planned, now)
    return len(planned)


@dataclass(frozen=True)
class Disowned:
    account_number: str
    already: bool  # the button was pressed before


def disown(session: Session, holder: SenderKey, token: str, now: datetime) -> Optional[Disowned]:
    """«Це не я»: unlinks the newcomer, bars them from this account, flags it for staff.

    None if the token is unknown or was not sent to this holder.
    """
    notice = holders_repo.notice_for(session, token, holder)
    if notice is None:
        return None
    account = session.get(Account, notice.account_id)
    if notice.disowned_at is not None:
        return Disowned(account.number, already=True)
    newcomer = SenderKey(notice.newcomer_channel, notice.newcomer_sender_id)
    accounts_repo.unlink_account(session, newcomer, account.id)
    holders_repo.bar(session, newcomer, account.id, now)
    holders_repo.flag(session, account.id, FLAG_NOT_ME, now)
    notice.disowned_at = now
    session.flush()
    return Disowned(account.number, already=False)


def is_barred(session: Session, sender: SenderKey, account_id: int) -> bool:
    return holders_repo.is_barred(session, sender, account_id)


def receipts_off(session: Session, sender: SenderKey, now: datetime) -> str:
    holders_repo.turn_receipts_off(session, sender, now)
    return texts.RECEIPTS_OFF_TEXT
