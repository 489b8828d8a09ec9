"""Account lookups by number, rate-limited per messenger user.

Failed lookups are stored, so the limit holds across restarts and nobody can
walk the account numbers to collect addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy.orm import Session

from core.accounts.numbers import masked_address
from core.db.models import Account
from core.repository import accounts as accounts_repo
from core.senders import SenderKey

LIMIT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class AccountView:
    """What conversations may know of an account (no owner name)."""

    account_id: int
    number: str
    masked_address: str

    @classmethod
    def of(cls, account: Account) -> "AccountView":
        return cls(
            account_id=account.id,
            number=account.number,
            masked_address=masked_address(account.street, account.house, account.apartment),
        )


@dataclass(frozen=True)
class LookupResult:
    account: Optional[AccountView]
    # When the user may try again, if the limit of failed lookups is reached.
    blocked_until: Optional[datetime]


def blocked_until(
    session: Session, sender: SenderKey, now: datetime, limit: int
) -> Optional[datetime]:
    """When the user may look up again, or None if they may now."""
    failures = accounts_repo.lookup_failures_since(session, sender, now - LIMIT_WINDOW)
    if len(failures) < limit:
        return None
    # The oldest failure that still counts must leave the window first.
    return failures[len(failures) - limit] + LIMIT_WINDOW


def lookup_account(
    session: Session, sender: SenderKey, number: str, now: datetime, limit: int
) -> LookupResult:
    """Finds an active account; a miss counts against the user's limit."""
    until = blocked_until(session, sender, now, limit)
    if until is not None:
        return LookupResult(account=None, blocked_until=until)
    account = accounts_repo.find_account(session, number)
    if account is not None and account.active:
        return LookupResult(account=AccountView.of(account), blocked_until=None)
    accounts_repo.record_lookup_failure(session, sender, now)
    return LookupResult(account=None, blocked_until=blocked_until(session, sender, now, limit))


def linked_account_views(session: Session, sender: SenderKey) -> List[AccountView]:
    return [AccountView.of(account) for account in accounts_repo.linked_accounts(session, sender)]
