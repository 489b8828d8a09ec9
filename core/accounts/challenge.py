"""The proof answer taken where it arrives, so that the secret never reaches Rasa.

When the account form asks for a proof, it opens a challenge for the user
(`open_challenge`). The channels then read the next message of that user first:
an answer that carries digits (or a Telegram contact) is checked here, the
outcome kept on the challenge, and Rasa gets only `PLACEHOLDER`; the form reads
the outcome with `take_outcome`, which ends the challenge. Any other message
ends it too («скасувати», a question, a button): a reading typed later is never
taken for a proof. Whenever the form asks again (after a wrong answer or an
interruption) it opens a new one. Nothing in the tracker store, the slots or the
logs holds the typed digits or the phone.

A user typing the placeholder themselves gains nothing: without an outcome
kept by the channel it is a malformed answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.accounts.ownership import (
    PROOF_VALID,
    ProofOutcome,
    ProofResult,
    answer_digits,
    check_phone,
    check_proof,
)
from core.db.models import Account, ProofChallenge
from core.senders import SenderKey
from core.settings import LookupLimits

# What Rasa gets instead of the answer: the `inform` intent, no entities.
PLACEHOLDER = "/inform"
# Fewer digits than this pass through unread: «так», «скасувати», «2» are no secret.
MIN_TAKEN_DIGITS = 4


def _challenge(session: Session, sender: SenderKey) -> Optional[ProofChallenge]:
    return session.execute(
        select(ProofChallenge).where(
            ProofChallenge.channel == sender.channel,
            ProofChallenge.sender_id == sender.sender_id,
        )
    ).scalar_one_or_none()


def open_challenge(session: Session, sender: SenderKey, account_id: int, now: datetime) -> None:
    """The form asks this user to prove this account now."""
    found = _challenge(session, sender)
    if found is None:
        session.add(
            ProofChallenge(
                channel=sender.channel,
                sender_id=sender.sender_id,
                account_id=account_id,
                asked_at=now,
            )
        )
    else:
        found.account_id, found.asked_at = account_id, now
        found.outcome = found.blocked_until = None
    session.flush()


def close_challenge(session: Session, sender: SenderKey) -> None:
    session.execute(
        delete(ProofChallenge).where(
            ProofChallenge.channel == sender.channel,
            ProofChallenge.sender_id == sender.sender_id,
        )
    )


def _open(session: Session, sender: SenderKey, now: datetime) -> Optional[ProofChallenge]:
    """The challenge waiting for an answer (none taken yet, asked recently)."""
    found = _challenge(session, sender)
    if found is None or found.outcome is not None or now - found.asked_at > PROOF_VALID:
        return None
    return found


def is_open(session: Session, sender: SenderKey, now: datetime) -> bool:
    return _open(session, sender, now) is not None


def _keep(found: ProofChallenge, result: ProofResult) -> str:
    found.outcome, found.blocked_until = result.outcome.value, result.blocked_until
    return PLACEHOLDER


def take_digits(
    session: Session, sender: SenderKey, text: str, now: datetime, limits: LookupLimits
) -> Optional[str]:
    """The placeholder if `text` answered an open challenge (checked and kept),
    else None: the text goes to Rasa as it is."""
    found = _open(session, sender, now)
    if found is None:
        return None
    if text.startswith("/") or len(answer_digits(text)) < MIN_TAKEN_DIGITS:
        close_challenge(session, sender)  # answered with something else
        return None
    number = session.get(Account, found.account_id).number
    return _keep(found, check_proof(session, sender, number, text, now, limits))


def take_phone(
    session: Session, sender: SenderKey, phone: str, now: datetime, limits: LookupLimits
) -> Optional[str]:
    """The placeholder if a contact the messenger vouches for answered an open
    challenge, else None (no challenge: the contact is not wanted)."""
    found = _open(session, sender, now)
    if found is None:
        return None
    number = session.get(Account, found.account_id).number
    return _keep(found, check_phone(session, sender, number, phone, now, limits))


def take_outcome(session: Session, sender: SenderKey, number: str) -> Optional[ProofResult]:
    """The outcome the channel kept for the user's answer about `number`, once."""
    found = _challenge(session, sender)
    if found is None or found.outcome is None:
        return None
    if session.get(Account, found.account_id).number != number:
        return None
    result = ProofResult(ProofOutcome(found.outcome), found.blocked_until)
    close_challenge(session, sender)
    return result
