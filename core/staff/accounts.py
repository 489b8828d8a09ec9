"""What staff read about accounts (search, an account's page, a case's page):
names, addresses and messenger links are personal data, so every read is audited
(actions `read_…`, kept apart from the changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy.orm import Session

from core.db.models import Account, AccountFlag, AccountLink, Meter, Reading
from core.repository import accounts as accounts_repo
from core.repository import attachments as attachments_repo
from core.repository import audit as audit_repo
from core.repository import holders as holders_repo
from core.repository import readings as readings_repo
from core.repository.attachments import AttachmentRow

READ_PREFIX = "read_"
HISTORY_PERIODS = 6
ATTACHMENTS_SHOWN = 50


def search(session: Session, actor: str, now: datetime, text: str) -> List[Account]:
    """Accounts by number or address; audited with the query and how many were found."""
    text = " ".join((text or "").split())[:100]
    accounts = accounts_repo.search_accounts(session, text)
    if text:
        audit_repo.record_audit(
            session,
            actor,
            READ_PREFIX + "search",
            f"пошук «{text}»",
            None,
            {"found": len(accounts)},
            now,
        )
    return accounts


@dataclass(frozen=True)
class AccountPage:
    account: Account
    meters: List[Meter]  # active first
    readings: List[Reading]  # the newest periods, in force and superseded
    links: List[AccountLink]
    flags: List[AccountFlag]
    attachments: List[AttachmentRow]


def account_page(
    session: Session, actor: str, now: datetime, account_id: int
) -> Optional[AccountPage]:
    account = accounts_repo.account_by_id(session, account_id)
    if account is None:
        return None
    meters = accounts_repo.account_meters(session, account_id)
    page = AccountPage(
        account=account,
        meters=meters,
        readings=readings_repo.meter_readings(
            session, [m.id for m in meters], periods=HISTORY_PERIODS
        ),
        links=accounts_repo.account_links(session, account_id),
        flags=holders_repo.flags_of_account(session, account_id),
        attachments=attachments_repo.listed(
            session, account_id=account_id, limit=ATTACHMENTS_SHOWN
        ),
    )
    audit_repo.record_audit(
        session, actor, READ_PREFIX + "account", f"рахунок {account.number}", None, None, now
    )
    return page
