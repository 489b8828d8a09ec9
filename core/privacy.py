"""Retention and "forget me": what the assistant keeps, for how long, and what a
consumer's request to be forgotten deletes.

- Conversations (Rasa's tracker store) and the anonymous conversation events:
  `RETENTION_DAYS` (default 180), then deleted by `teplo privacy purge`.
- Account lookups: a day (the rate limits look no further back).
- Ownership proof attempts: 30 days (staff look into locked accounts).
- Messenger delivery ids: a week (messengers re-deliver for hours at most).
- Photos and documents consumers sent (`core.attachments`): as long as the
  conversations, files and rows alike; at once after "forget me".
- Cases with a clerk (`core.handoff`): closed ones as long as the conversations;
  at once after "forget me".
- Readings: kept; they are billing records. After "forget me" they no longer
  say which messenger user sent them.
- Outbox messages (reminders, notices, receipts): 90 days once sent or given
  up; after "forget me" what was still to be sent is cancelled and every row
  loses its text and the user's id.
- Notices to holders about a newcomer: 30 days (their «Це не я» tokens are
  long dead by then) unless the holder pressed it (a staff case).
- Receipt opt-outs: until "forget me". Bars on relinking: kept, after "forget
  me" only as a digest of who was barred (forgetting is no way round a bar).
- Admins' notes on conversations (tags, «переглянуто», the test story
  candidate written from one, `core.repository.reviews`): as long as the
  conversations; at once after "forget me". Until the purge deletes a
  forgotten sender's conversations, «Розмови» shows none of them.
- Console sign-in attempts: 30 days (the throttle looks back an hour; staff
  look into a series of failures).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.attachments import forget_sender_attachments, purge_attachments
from core.handoff.cases import forget_sender_cases, purge_cases
from core.repository import accounts as accounts_repo
from core.repository import messenger as messenger_repo
from core.repository import privacy as privacy_repo
from core.repository.reviews import forget_sender_reviews, purge_reviews
from core.senders import SenderKey

LOOKUPS_KEPT = timedelta(days=7)  # the weekly cap on distinct accounts looks back a week
PROOFS_KEPT = timedelta(days=30)
# Messengers re-deliver for hours at most; a week of ids is plenty.
DELIVERIES_KEPT = timedelta(days=7)
OUTBOX_KEPT = timedelta(days=90)
NOTICES_KEPT = timedelta(days=30)
LOGIN_ATTEMPTS_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class Forgotten:
    links: int
    readings_pseudonymised: int
    attachments: int = 0
    outbox_cancelled: int = 0
    cases: int = 0
    reviews: int = 0


def forget_sender(session: Session, sender: SenderKey, now: datetime) -> Forgotten:
    """Deletes what the assistant keeps about a messenger user, at once; their
    conversations follow with the next purge (a request row remembers them)."""
    links = privacy_repo.delete_sender_data(session, sender)
    pseudonym = "forgotten-" + secrets.token_hex(6)
    readings = privacy_repo.pseudonymise_readings(session, sender, pseudonym)
    privacy_repo.pseudonymise_proofs(session, sender, pseudonym)
    cancelled = privacy_repo.withdraw_outbox(session, sender, pseudonym)
    privacy_repo.delete_holder_data(session, sender)
    attachments = forget_sender_attachments(session, sender)
    forgotten_cases = forget_sender_cases(session, sender)
    reviews = forget_sender_reviews(session, sender)
    privacy_repo.add_forget_request(session, sender, now)
    return Forgotten(
        links=links,
        readings_pseudonymised=readings,
        attachments=attachments,
        outbox_cancelled=cancelled,
        cases=forgotten_cases,
        reviews=reviews,
    )


@dataclass(frozen=True)
class Purged:
    conversation_events: int
    lookups: int
    deliveries: int
    proofs: int
    attachments: int = 0
    outbox: int = 0
    notices: int = 0
    login_attempts: int = 0
    cases: int = 0
    reviews: int = 0


def purge_expired(session: Session, now: datetime, keep_days: int) -> Purged:
    """Deletes the rows of the assistant's database that are past their time."""
    return Purged(
        conversation_events=privacy_repo.purge_conversation_events(
            session, now - timedelta(days=keep_days)
        ),
        lookups=accounts_repo.purge_lookups(session, now - LOOKUPS_KEPT),
        deliveries=messenger_repo.purge_deliveries(session, now - DELIVERIES_KEPT),
        proofs=accounts_repo.purge_proofs(session, now - PROOFS_KEPT),
        attachments=purge_attachments(session, now - timedelta(days=keep_days)),
        outbox=privacy_repo.purge_outbox(session, now - OUTBOX_KEPT),
        notices=privacy_repo.purge_holder_notices(session, now - NOTICES_KEPT),
        login_attempts=privacy_repo.purge_login_attempts(session, now - LOGIN_ATTEMPTS_KEPT),
        cases=purge_cases(session, now - timedelta(days=keep_days)),
        reviews=purge_reviews(session, now - timedelta(days=keep_days)),
    )
