"""Account lookups by number, rate-limited per messenger user.

Lookups are stored, so the limits hold across restarts and replicas, and
nobody can walk the account numbers to collect addresses: each sender may look
up `per_hour` / `per_day` accounts they have not linked, and at most
`accounts_per_sender_week` distinct existing ones in 7 days. The channel-wide
ceiling is an alert for staff, never a stop: 60 throw-away ids must not close
account adding for everyone else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from sqlalchemy.orm import Session

from core import metrics
from core.accounts.numbers import masked_address
from core.db.models import Account
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from core.settings import LookupLimits, later

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
logger = logging.getLogger(__name__)


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
    # When the user may try again, if a limit is reached.
    blocked_until: Optional[datetime]


def _until(times: List[datetime], limit: int, window: timedelta) -> Optional[datetime]:
    if len(times) < limit:
        return None
    # The oldest lookup that still counts must leave the window first; an hour
    # is an hour on a daylight-saving night too (shown to the user: Kyiv time).
    return later(times[len(times) - limit], window)


def blocked_until(
    session: Session, sender: SenderKey, now: datetime, limits: LookupLimits
) -> Optional[datetime]:
    """When the user may look up again, or None if they may now."""
    return _limit_reached(session, sender, now, limits)[0]


def refused_until(
    session: Session,
    sender: SenderKey,
    now: datetime,
    limits: LookupLimits,
    account_id: Optional[int] = None,
) -> Optional[datetime]:
    """`blocked_until` for a user about to look up (asked for a number, or typing
    one; `account_id`: the account they named, for the weekly cap on distinct
    accounts); a refusal is counted in `teplo_lookups_refused_total`."""
    until, limit = _limit_reached(session, sender, now, limits)
    if until is None and account_id is not None:
        until = _distinct_until(session, sender, now, limits, account_id)
        limit = "distinct"
    if until is not None:
        metrics.count_on_commit(session, metrics.LOOKUPS_REFUSED.labels(limit))
    return until


def _distinct_until(
    session: Session, sender: SenderKey, now: datetime, limits: LookupLimits, account_id: int
) -> Optional[datetime]:
    """When the user may look up one more account they have not tried this week."""
    tried = accounts_repo.looked_up_accounts_since(session, sender, now - WEEK)
    if account_id in tried or len(tried) < limits.accounts_per_sender_week:
        return None
    # The first look at the oldest distinct account must leave the week.
    firsts = sorted(tried.values())
    return firsts[len(firsts) - limits.accounts_per_sender_week] + WEEK


def _limit_reached(
    session: Session, sender: SenderKey, now: datetime, limits: LookupLimits
) -> Tuple[Optional[datetime], str]:
    """`blocked_until`, and that it is the user's own limit ("user")."""
    own = accounts_repo.lookups_since(session, sender, now - DAY)
    hourly = [moment for moment in own if moment > now - HOUR]
    found = [
        moment
        for moment in (_until(hourly, limits.per_hour, HOUR), _until(own, limits.per_day, DAY))
        if moment is not None
    ]
    return (max(found) if found else None), "user"


def _alert_if_crowded(session: Session, channel: str, now: datetime, limits: LookupLimits) -> None:
    """Many lookups on one channel within an hour: staff are told, nobody is stopped."""
    count = accounts_repo.channel_lookup_count_since(session, channel, now - HOUR)
    if count == limits.per_channel_hour:  # once per crossing, not on every lookup after it
        metrics.count_on_commit(session, metrics.LOOKUP_CEILING_ALERTS.labels(channel))
        logger.warning(
            "account lookups on %s: %d in the last hour, the alert ceiling; each sender "
            "keeps their own limits, nobody else is refused",
            channel,
            count,
        )


def lookup_account(
    session: Session, sender: SenderKey, number: str, now: datetime, limits: LookupLimits
) -> LookupResult:
    """Finds an active account. A lookup of an account the user has not linked
    counts against the limits whether it is found or not."""
    account = accounts_repo.find_account(session, number)
    if (
        account is not None
        and account.active
        and accounts_repo.is_linked(session, sender, account.id)
    ):
        return LookupResult(account=AccountView.of(account), blocked_until=None)
    found = account if account is not None and account.active else None
    until = refused_until(session, sender, now, limits, found.id if found else None)
    if until is not None:
        return LookupResult(account=None, blocked_until=until)
    accounts_repo.purge_lookups(session, now - WEEK)
    accounts_repo.record_lookup(session, sender, now, found.id if found else None)
    _alert_if_crowded(session, sender.channel, now, limits)
    if found is not None:
        return LookupResult(account=AccountView.of(found), blocked_until=None)
    return LookupResult(account=None, blocked_until=blocked_until(session, sender, now, limits))


def linked_account_views(session: Session, sender: SenderKey) -> List[AccountView]:
    return [AccountView.of(account) for account in accounts_repo.linked_accounts(session, sender)]
