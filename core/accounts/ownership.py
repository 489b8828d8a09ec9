"""Proof that a messenger user holds an account, before anything about it is shown.

Knowing an account number proves nothing: numbers are printed on paper bills
and run in sequence. What a stranger with the number does not have is the
apartment's meter, so the user types the last `PROOF_DIGITS` digits of the
serial number of any of the account's active meters (printed on the meter's
plate; billing's file carries every meter's serial). The owner's name and the
address are no proof: both are printed on the same bill as the number.

Guessing is hopeless within the limits: a right answer is one of at most as
many values as the account has meters out of 10**6. Every wrong answer counts
as an account lookup of the user (`LookupLimits`: 5 an hour, 10 a day, 300 an
hour for a whole channel) and against the account: after
`wrong_proofs_per_account` (10) wrong answers by anyone within a day the
account takes no proofs at all and gets a staff flag; only when staff resolve
the flag does it take proofs again. At most 10 guesses at 3 meters per account
between staff looks: a 1 in 33 000 chance. Users who already hold the account
are never affected.

A meter whose serial has fewer than `PROOF_DIGITS` digits cannot prove an
account; an account without such a meter reveals nothing and accepts nothing
in the chat (the user is sent to the subscriber service).
"""

from __future__ import annotations

import hmac
import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Iterable, List, Optional

from sqlalchemy.orm import Session

from core.accounts.lookup import DAY, blocked_until, refused_until
from core.db.models import Account
from core.repository import accounts as accounts_repo
from core.repository import holders as holders_repo
from core.senders import SenderKey
from core.settings import LookupLimits

PROOF_DIGITS = 6
# A right answer lets the user link the account for this long (the address
# confirmation comes in between).
PROOF_VALID = timedelta(minutes=30)
FLAG_PROOF_ATTEMPTS = "proof_attempts"
# Longer answers are not serial numbers; they are not counted either.
MAX_ANSWER_DIGITS = 40
logger = logging.getLogger(__name__)


class ProofStatus(str, Enum):
    """What may happen next with an account the user has named."""

    HELD = "held"  # the user proved it before: nothing to ask
    NEEDED = "needed"
    LOCKED = "locked"  # too many wrong answers: staff must look first
    UNPROVABLE = "unprovable"  # no meter with a serial long enough
    GONE = "gone"  # no longer an active account


class ProofOutcome(str, Enum):
    PROVED = "proved"
    WRONG = "wrong"
    MALFORMED = "malformed"  # not a serial's digits; not counted
    BLOCKED = "blocked"  # the user's lookups are used up
    LOCKED = "locked"
    UNPROVABLE = "unprovable"
    GONE = "gone"


@dataclass(frozen=True)
class ProofResult:
    outcome: ProofOutcome
    # When the user may try again, once their lookups are used up.
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
    return holders_repo.has_open_flag(session, account_id, FLAG_PROOF_ATTEMPTS)


def _status(session: Session, sender: SenderKey, account: Optional[Account]) -> ProofStatus:
    if account is None or not account.active:
        return ProofStatus.GONE
    if accounts_repo.is_linked(session, sender, account.id):
        return ProofStatus.HELD
    if not _keys(session, account.id):
        return ProofStatus.UNPROVABLE
    if is_locked(session, account.id):
        return ProofStatus.LOCKED
    return ProofStatus.NEEDED


def proof_status(session: Session, sender: SenderKey, number: str) -> ProofStatus:
    return _status(session, sender, accounts_repo.find_account(session, number))


def check_proof(
    session: Session,
    sender: SenderKey,
    number: str,
    answer: str,
    now: datetime,
    limits: LookupLimits,
) -> ProofResult:
    """Checks the user's answer for the account and records it."""
    account = accounts_repo.find_account(session, number)
    status = _status(session, sender, account)
    if status is ProofStatus.HELD:
        return ProofResult(ProofOutcome.PROVED)
    if account is None or status is not ProofStatus.NEEDED:
        return ProofResult(ProofOutcome(status.value))
    typed = answer_digits(answer)
    if not PROOF_DIGITS <= len(typed) <= MAX_ANSWER_DIGITS:
        return ProofResult(ProofOutcome.MALFORMED)
    until = refused_until(session, sender, now, limits)
    if until is not None:
        return ProofResult(ProofOutcome.BLOCKED, until)
    # Every key is compared, in constant time, so timing tells nothing.
    matches = [
        hmac.compare_digest(typed[-PROOF_DIGITS:], key) for key in _keys(session, account.id)
    ]
    right = any(matches)
    accounts_repo.record_proof(session, sender, account.id, right, now)
    if right:
        return ProofResult(ProofOutcome.PROVED)
    accounts_repo.record_lookup(session, sender, now)
    _lock_if_attacked(session, account.id, now, limits)
    return ProofResult(ProofOutcome.WRONG, blocked_until(session, sender, now, limits))


def _lock_if_attacked(
    session: Session, account_id: int, now: datetime, limits: LookupLimits
) -> None:
    resolved = holders_repo.last_resolved(session, account_id, FLAG_PROOF_ATTEMPTS)
    since = now - DAY if resolved is None else max(now - DAY, resolved)
    wrong = accounts_repo.wrong_proofs_since(session, account_id, since)
    if wrong >= limits.wrong_proofs_per_account and not is_locked(session, account_id):
        holders_repo.flag(session, account_id, FLAG_PROOF_ATTEMPTS, now)
        # The account's id only: staff find it in the console's flags.
        logger.warning(
            "account id %d: %d wrong ownership proofs within a day; it takes no more "
            "until staff resolve its flag",
            account_id,
            wrong,
        )


def may_link(session: Session, sender: SenderKey, account_id: int, now: datetime) -> bool:
    """Whether the user holds the account or has just proved it."""
    return accounts_repo.is_linked(session, sender, account_id) or accounts_repo.proved_since(
        session, sender, account_id, now - PROOF_VALID
    )
