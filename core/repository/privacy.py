"""Deleting what is no longer needed, and what a consumer asked us to forget.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime
from typing import List

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.db.models import (
    AccountLink,
    AccountLookup,
    ChannelKeyboard,
    ConversationEvent,
    ForgetRequest,
    MessengerUser,
    OwnershipProof,
    ProofChallenge,
    Reading,
)
from core.senders import SenderKey


def delete_sender_data(session: Session, sender: SenderKey) -> int:
    """Deletes the user's links, messenger record, keyboard, lookups and open proof
    challenge; returns
    how many accounts were linked."""
    links = session.execute(
        delete(AccountLink).where(
            AccountLink.channel == sender.channel, AccountLink.sender_id == sender.sender_id
        )
    ).rowcount
    for model in (MessengerUser, ChannelKeyboard, AccountLookup, ProofChallenge):
        session.execute(
            delete(model).where(
                model.channel == sender.channel, model.sender_id == sender.sender_id
            )
        )
    return links


def pseudonymise_readings(session: Session, sender: SenderKey, pseudonym: str) -> int:
    """Readings are billing records and stay; who sent them does not."""
    return session.execute(
        update(Reading)
        .where(Reading.channel == sender.channel, Reading.sender_id == sender.sender_id)
        .values(sender_id=pseudonym)
    ).rowcount


def pseudonymise_proofs(session: Session, sender: SenderKey, pseudonym: str) -> None:
    """Wrong proofs keep counting against the account (forgetting must not reset
    the limit); who gave them is forgotten."""
    session.execute(
        update(OwnershipProof)
        .where(
            OwnershipProof.channel == sender.channel, OwnershipProof.sender_id == sender.sender_id
        )
        .values(sender_id=pseudonym)
    )


def add_forget_request(session: Session, sender: SenderKey, now: datetime) -> None:
    session.add(ForgetRequest(channel=sender.channel, sender_id=sender.sender_id, requested_at=now))
    session.flush()


def forget_requests(session: Session) -> List[ForgetRequest]:
    return list(session.execute(select(ForgetRequest).order_by(ForgetRequest.id)).scalars())


def delete_forget_requests(session: Session, ids: List[int]) -> None:
    if ids:
        session.execute(delete(ForgetRequest).where(ForgetRequest.id.in_(ids)))


def purge_conversation_events(session: Session, before: datetime) -> int:
    return session.execute(
        delete(ConversationEvent).where(ConversationEvent.occurred_at < before)
    ).rowcount
