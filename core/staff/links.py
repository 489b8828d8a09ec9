"""Issuing the deep links printed on paper bills (`teplo billing links`).

Tokens are kept once issued, so bills already printed keep working; `renew`
replaces them, and the old bills then open the ordinary greeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.deeplinks import new_token, telegram_link, viber_link
from core.db.models import Account, BillLink
from core.errors import StaffError
from core.repository.audit import record_audit

ACTION = "bill_links.issue"


@dataclass(frozen=True)
class BillLinkRow:
    account_number: str
    token: str
    telegram: str  # "" when the bot is not configured
    viber: str


def issue_bill_links(
    session: Session,
    actor: str,
    now: datetime,
    *,
    telegram_bot: str = "",
    viber_uri: str = "",
    street: Optional[str] = None,
    renew: bool = False,
) -> List[BillLinkRow]:
    """Links for every active account (or those of one street), issuing tokens
    to accounts that have none; audited as one entry."""
    telegram_bot, viber_uri = telegram_bot.strip().lstrip("@"), viber_uri.strip()
    if not telegram_bot and not viber_uri:
        raise StaffError(
            "не задано ні бота Telegram (TELEGRAM_BOT_NAME), ні адреси Viber (VIBER_CHAT_URI)"
        )
    if street is not None and not street.strip():
        raise StaffError("назва вулиці порожня")
    accounts = [
        account
        for account in session.execute(
            select(Account).where(Account.active.is_(True)).order_by(Account.number)
        ).scalars()
        # In Python: SQLite's lower() leaves Cyrillic letters as they are.
        if street is None or _same_street(account.street, street)
    ]
    if not accounts:
        raise StaffError(
            f"на вулиці «{street.strip()}» немає діючих рахунків"
            if street is not None
            else "немає діючих рахунків"
        )
    existing = {
        link.account_id: link
        for link in session.execute(
            select(BillLink).where(BillLink.account_id.in_([a.id for a in accounts]))
        ).scalars()
    }
    issued = 0
    rows = []
    for account in accounts:
        link = existing.get(account.id)
        if link is None:
            link = BillLink(account_id=account.id, token=new_token(), issued_at=now)
            session.add(link)
            issued += 1
        elif renew:
            link.token, link.issued_at = new_token(), now
            issued += 1
        rows.append(
            BillLinkRow(
                account.number,
                link.token,
                telegram_link(telegram_bot, link.token) if telegram_bot else "",
                viber_link(viber_uri, link.token) if viber_uri else "",
            )
        )
    session.flush()
    record_audit(
        session,
        actor,
        ACTION,
        f"вулиця {street.strip()}" if street is not None else "усі рахунки",
        None,
        {"accounts": len(rows), "new_tokens": issued, "renew": renew},
        now,
    )
    return rows


def _same_street(stored: str, asked: str) -> bool:
    return " ".join(stored.split()).casefold() == " ".join(asked.split()).casefold()
