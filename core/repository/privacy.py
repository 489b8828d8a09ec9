"""Deleting what is no longer needed, and what a consumer asked us to forget.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime
from typing import List

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from core.db.models import (
    AccountLink,
    AccountLookup,
    ChannelKeyboard,
    ConversationEvent,
    ForgetRequest,
    HolderNotice,
    LinkBar,
    LoginAttempt,
    MessengerUser,
    OutboxMessage,
    OutboxStatus,
    OwnershipProof,
    ProofChallenge,
    Reading,
    ReceiptOptOut,
)
from core.senders import SenderKey, sender_digest

# Rows the outbox sender may still send (or is sending right now).
UNSENT = (OutboxStatus.pending.value, OutboxStatus.sending.value)


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


def withdraw_outbox(session: Session, sender: SenderKey, pseudonym: str) -> int:
    """Cancels what was still to be sent to the user and pseudonymises all their
    outbox rows; returns how many were cancelled.

    Kind, status and times stay (delivery statistics); the text, the buttons
    and the key (which names the user) go. A row a sender holds right now
    loses its claim, so the sender's late "sent" is a no-op.
    """
    mine = (OutboxMessage.channel == sender.channel) & (OutboxMessage.sender_id == sender.sender_id)
    cancelled = session.execute(
        update(OutboxMessage)
        .where(mine, OutboxMessage.status.in_(UNSENT))
        .values(
            status=OutboxStatus.cancelled.value,
            claim_token=None,
            lease_until=None,
            last_error="forgotten",
        )
    ).rowcount
    ids = list(session.execute(select(OutboxMessage.id).where(mine)).scalars())
    for row_id in ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(key=f"forgotten:{row_id}", sender_id=pseudonym, text="", buttons="[]")
        )
    return cancelled


def delete_holder_data(session: Session, sender: SenderKey) -> None:
    """The user's notices (sent to them or about them) and receipt opt-out go; a
    bar against them stays, but only as a digest of who they were, so that
    forgetting is no way round it (`core.repository.holders.is_barred`)."""
    session.execute(
        delete(HolderNotice).where(
            or_(
                (HolderNotice.holder_channel == sender.channel)
                & (HolderNotice.holder_sender_id == sender.sender_id),
                (HolderNotice.newcomer_channel == sender.channel)
                & (HolderNotice.newcomer_sender_id == sender.sender_id),
            )
        )
    )
    session.execute(
        delete(ReceiptOptOut).where(
            ReceiptOptOut.channel == sender.channel, ReceiptOptOut.sender_id == sender.sender_id
        )
    )
    digest = sender_digest(sender)
    bars = session.execute(
        select(LinkBar).where(
            LinkBar.channel == sender.channel, LinkBar.sender_id == sender.sender_id
        )
    ).scalars()
    for bar in list(bars):
        already = session.execute(
            select(LinkBar.id).where(
                LinkBar.account_id == bar.account_id,
                LinkBar.channel == sender.channel,
                LinkBar.sender_id == digest,
            )
        ).first()
        if already:
            session.delete(bar)
        else:
            bar.sender_id = digest
    session.flush()


def purge_outbox(session: Session, before: datetime) -> int:
    """Finished outbox rows created before `before` (never one still to be sent)."""
    return session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.created_at < before, OutboxMessage.status.not_in(UNSENT)
        )
    ).rowcount


def purge_holder_notices(session: Session, before: datetime) -> int:
    """Notices older than `before` whose holder never pressed «Це не я»
    (a pressed one is the record of a staff case and stays with the flag)."""
    return session.execute(
        delete(HolderNotice).where(
            HolderNotice.created_at < before, HolderNotice.disowned_at.is_(None)
        )
    ).rowcount


def purge_login_attempts(session: Session, before: datetime) -> int:
    return session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < before)).rowcount
