"""Proof that a messenger user holds an account, before anything about it is shown.

Knowing an account number proves nothing: numbers are printed on paper bills
and run in sequence. Two things prove it:

* **the phone number** billing has for the account, shared from Telegram with
  the `request_contact` button: Telegram itself vouches that the contact is the
  sender's own (`contact.user_id` is the sender); a match proves at once, a
  mismatch is a wrong answer. Viber cannot tell the user's own number from a
  contact card forwarded by hand, so a Viber phone proves nothing (docs/channels.md);
* **the last `PROOF_DIGITS` digits of a meter's serial** (printed on the meter's
  plate), for accounts without a phone and users who decline.

The digits are a small secret, so guessing is limited from every side (the
numbers are `LookupLimits`; the figures below are the defaults):

* per (account, sender): 5 wrong answers in 30 days; per sender: 5 a day, and
  lookups of at most 3 distinct unlinked accounts a week (`core.accounts.lookup`);
* per account, by anyone, over 30 days: at 10 wrong answers staff get a flag
  (`proof_watch`), at 25 typed digits are no longer taken (`proof_attempts`, a
  lock; a Telegram phone still proves) until staff resolve the flag;
* a right answer after 3 or more wrong ones for the account alerts staff
  (`proof_after_failures`, and `teplo_proof_alerts_total`).

Honest odds (docs/staff-guide.md): an attacker who stays under the staff flag
gets at most 9 guesses per 30 days per account, about 110 a year; against an
account with 3 provable meters that is 110 × 3 / 10**6, about 1 in 3 000 per
account and year, with no flag. Anyone who tries harder is flagged within the
month, long before the odds matter. Three throw-away ids cannot lock an account
(3 × 5 = 15 < 25), and a lock never stops a holder or a shared phone.

A right answer opens one link (`used_at`), within `PROOF_VALID`; unlinking
deletes it.
"""

from __future__ import annotations

import hmac
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Iterable, List, Optional, Tuple

from sqlalchemy.orm import Session

from core import metrics
from core.accounts.lookup import DAY, blocked_until, refused_until
from core.accounts.phones import normalise_phone
from core.db.models import Account
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.senders import SenderKey
from core.settings import LookupLimits

PROOF_DIGITS = 6
# A right answer lets the user link the account for this long (the address
# confirmation comes in between); linking uses it up.
PROOF_VALID = timedelta(minutes=30)
# Wrong answers per account and per (account, sender) are counted over this window.
MONTH = timedelta(days=30)
FLAG_PROOF_ATTEMPTS = "proof_attempts"  # the lock
FLAG_PROOF_WATCH = "proof_watch"
FLAG_PROOF_AFTER_FAILURES = "proof_after_failures"
LOCK_QUEUE = (FLAG_PROOF_ATTEMPTS, FLAG_PROOF_WATCH, FLAG_PROOF_AFTER_FAILURES)
# Channels whose shared contact the messenger vouches for (see the module docstring).
PHONE_CHANNELS = ("telegram",)
# Longer answers are not serial numbers; they are not counted either.
MAX_ANSWER_DIGITS = 40
DIGITS, PHONE = "digits", "phone"
logger = logging.getLogger(__name__)


class ProofStatus(str, Enum):
    """What may happen next with an account the user has named."""

    HELD = "held"  # the user proved it before: nothing to ask
    NEEDED = "needed"
    LOCKED = "locked"  # too many wrong answers: staff must look first
    UNPROVABLE = "unprovable"  # no meter with a serial long enough, no phone
    GONE = "gone"  # no longer an active account


class ProofOutcome(str, Enum):
    PROVED = "proved"
    WRONG = "wrong"
    MALFORMED = "malformed"  # not a serial's digits; not counted
    BLOCKED = "blocked"  # the user's tries are used up for now
    LOCKED = "locked"
    UNPROVABLE = "unprovable"
    GONE = "gone"


@dataclass(frozen=True)
class ProofResult:
    outcome: ProofOutcome
    # When the user may try again, once their tries are used up.
    blocked_until: Optional[datetime] = None


def answer_digits(text: str) -> str:
    """The digits of an answer, whatever script they were typed in."""
    digits = (unicodedata.digit(char, None) for char in text)
    return "".join(str(digit) for digit in digits if digit is not None)


def proof_keys(serials: Iterable[str]) -> List[str]:
    """The last digits of every serial long enough to prove an account."""
    keys = []
    for serial in serials:
        digits = answer_digits(serial)
        if len(digits) >= PROOF_DIGITS:
            keys.append(digits[-PROOF_DIGITS:])
    return keys


def _keys(session: Session, account_id: int) -> List[str]:
    return proof_keys(meter.serial for meter in accounts_repo.active_meters(session, account_id))


def is_locked(session: Session, account_id: int) -> bool:
    """Whether typed digits are refused for the account until staff look."""
    return holders_repo.has_open_flag(session, account_id, FLAG_PROOF_ATTEMPTS)


def phone_proves(sender: SenderKey, account: Account) -> bool:
    """Whether the user could prove the account with a shared phone."""
    return bool(account.phone) and sender.channel in PHONE_CHANNELS


def _status(session: Session, sender: SenderKey, account: Optional[Account]) -> ProofStatus:
    if account is None or not account.active:
        return ProofStatus.GONE
    if accounts_repo.is_linked(session, sender, account.id):
        return ProofStatus.HELD
    by_phone = phone_proves(sender, account)
    if not _keys(session, account.id) and not by_phone:
        return ProofStatus.UNPROVABLE
    if is_locked(session, account.id) and not by_phone:
        return ProofStatus.LOCKED
    return ProofStatus.NEEDED


def proof_status(session: Session, sender: SenderKey, number: str) -> ProofStatus:
    return _status(session, sender, accounts_repo.find_account(session, number))


def _sender_blocked(
    session: Session, sender: SenderKey, account_id: int, now: datetime, limits: LookupLimits
) -> Optional[datetime]:
    """When the user may type digits again, if their own wrong answers are used up."""
    until = refused_until(session, sender, now, limits)
    mine = accounts_repo.wrong_proof_times(session, sender, now - MONTH, account_id)
    if len(mine) >= limits.wrong_per_account_sender:
        until = max(
            filter(None, (until, mine[len(mine) - limits.wrong_per_account_sender] + MONTH))
        )
    today = accounts_repo.wrong_proof_times(session, sender, now - DAY)
    if len(today) >= limits.wrong_per_sender_day:
        until = max(filter(None, (until, today[len(today) - limits.wrong_per_sender_day] + DAY)))
    return until


def _to_prove(
    session: Session, sender: SenderKey, number: str
) -> Tuple[Optional[Account], ProofResult]:
    """The account if an answer must be checked, else None and the outcome already known."""
    account = accounts_repo.find_account(session, number)
    status = _status(session, sender, account)
    if status is ProofStatus.HELD:
        return None, ProofResult(ProofOutcome.PROVED)
    if account is None or status is not ProofStatus.NEEDED:
        return None, ProofResult(ProofOutcome(status.value))
    return account, ProofResult(ProofOutcome.MALFORMED)


def check_proof(
    session: Session,
    sender: SenderKey,
    number: str,
    answer: str,
    now: datetime,
    limits: LookupLimits,
) -> ProofResult:
    """Checks typed serial digits for the account and records the answer."""
    account, settled = _to_prove(session, sender, number)
    if account is None:
        return settled
    keys = _keys(session, account.id)
    if not keys:  # provable by phone only
        return ProofResult(ProofOutcome.UNPROVABLE)
    if is_locked(session, account.id):
        return ProofResult(ProofOutcome.LOCKED)
    typed = answer_digits(answer)
    if not PROOF_DIGITS <= len(typed) <= MAX_ANSWER_DIGITS:
        return ProofResult(ProofOutcome.MALFORMED)
    until = _sender_blocked(session, sender, account.id, now, limits)
    if until is not None:
        return ProofResult(ProofOutcome.BLOCKED, until)
    # Every key is compared, in constant time, so timing tells nothing.
    matches = [hmac.compare_digest(typed[-PROOF_DIGITS:], key) for key in keys]
    return _record(session, sender, account, any(matches), DIGITS, now, limits)


def check_phone(
    session: Session,
    sender: SenderKey,
    number: str,
    shared: Optional[str],
    now: datetime,
    limits: LookupLimits,
) -> ProofResult:
    """Checks a phone the messenger vouches is the sender's own (a Telegram contact
    whose user_id is the sender: the channel checks that)."""
    account, settled = _to_prove(session, sender, number)
    if account is None:
        return settled
    if not phone_proves(sender, account):
        return ProofResult(ProofOutcome.MALFORMED)
    phone = normalise_phone(shared)
    if phone is None:
        return ProofResult(ProofOutcome.MALFORMED)
    right = hmac.compare_digest(phone, account.phone)
    return _record(session, sender, account, right, PHONE, now, limits)


def _record(
    session: Session,
    sender: SenderKey,
    account: Account,
    right: bool,
    method: str,
    now: datetime,
    limits: LookupLimits,
) -> ProofResult:
    accounts_repo.record_proof(session, sender, account.id, right, now, method)
    if right:
        _alert_if_after_failures(session, account.id, now, limits)
        return ProofResult(ProofOutcome.PROVED)
    accounts_repo.record_lookup(session, sender, now, account.id)
    _flag_if_attacked(session, account.id, now, limits)
    until = _sender_blocked(session, sender, account.id, now, limits) or blocked_until(
        session, sender, now, limits
    )
    return ProofResult(ProofOutcome.WRONG, until)


def _wrong_since_staff_looked(session: Session, account_id: int, now: datetime) -> int:
    """Wrong answers for the account within 30 days, after staff last resolved
    any of its proof flags (they looked and spoke to the owner)."""
    resolved = [
        moment
        for moment in (holders_repo.last_resolved(session, account_id, r) for r in LOCK_QUEUE)
        if moment is not None
    ]
    since = max([now - MONTH, *resolved])
    return accounts_repo.wrong_proofs_since(session, account_id, since)


def _raise(session: Session, account_id: int, reason: str, kind: str, now: datetime) -> None:
    holders_repo.flag(session, account_id, reason, now)
    metrics.count_on_commit(session, metrics.PROOF_ALERTS.labels(kind))
    # The account's id only: staff find it in the console's flags.
    logger.warning("account id %d: ownership proofs flagged for staff (%s)", account_id, kind)


def _flag_if_attacked(
    session: Session, account_id: int, now: datetime, limits: LookupLimits
) -> None:
    for reason, kind, threshold in (
        (FLAG_PROOF_WATCH, "watch", limits.wrong_proofs_watch),
        (FLAG_PROOF_ATTEMPTS, "lock", limits.wrong_proofs_per_account),
    ):
        wrong = _wrong_since_staff_looked(session, account_id, now)
        if wrong >= threshold and not holders_repo.has_open_flag(session, account_id, reason):
            _raise(session, account_id, reason, kind, now)


def _alert_if_after_failures(
    session: Session, account_id: int, now: datetime, limits: LookupLimits
) -> None:
    wrong = _wrong_since_staff_looked(session, account_id, now)
    if wrong >= limits.success_after_failures and not holders_repo.has_open_flag(
        session, account_id, FLAG_PROOF_AFTER_FAILURES
    ):
        _raise(session, account_id, FLAG_PROOF_AFTER_FAILURES, "after_failures", now)


def may_link(session: Session, sender: SenderKey, account_id: int, now: datetime) -> bool:
    """Whether the user holds the account or has just proved it (a proof not used yet)."""
    return accounts_repo.is_linked(session, sender, account_id) or accounts_repo.proved_since(
        session, sender, account_id, now - PROOF_VALID
    )
