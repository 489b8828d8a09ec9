"""Test shorthand for ownership proofs: what the account's holder would type."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.ownership import ProofOutcome, check_proof, proof_keys
from core.db.models import Account, Meter
from core.senders import SenderKey
from core.settings import get_settings
from tests.support.db import in_session


def proof_digits_in(session: Session, number: str) -> str:
    """The last digits of the account's first active meter's serial."""
    serials = session.execute(
        select(Meter.serial)
        .join(Account, Account.id == Meter.account_id)
        .where(Account.number == number, Meter.active.is_(True))
        .order_by(Meter.id)
    ).scalars()
    return proof_keys(serials)[0]


def proof_digits(number: str) -> str:
    return in_session(lambda s: proof_digits_in(s, number))


def prove(number: str, sender_id: str = "user-1", channel: str = "telegram") -> None:
    """Records a right answer, as the proof step of the account form does."""
    settings = get_settings()
    now: datetime = settings.now()
    sender = SenderKey(channel, sender_id)

    def answer(session: Session) -> ProofOutcome:
        digits = proof_digits_in(session, number)
        return check_proof(session, sender, number, digits, now, settings.lookup_limits).outcome

    assert in_session(answer) is ProofOutcome.PROVED


def proof_digits_of(engine, number: str) -> str:
    """`proof_digits` against a given engine (a test's running stack)."""
    with Session(engine, future=True) as session:
        return proof_digits_in(session, number)
