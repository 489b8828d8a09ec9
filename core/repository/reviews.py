"""Admins' notes on conversations («Розмови»): tags, «переглянуто», saved test stories.

Every function takes the caller's session and never commits. Rows follow the
conversation they describe: forget-me deletes a sender's rows at once (and the
test story candidate written from them), retention deletes them with the
conversations.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Collection, Dict, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db.models import AccountLink, Case, ConversationReview, ForgetRequest, Meter, Reading
from core.senders import SenderKey


def reviews_of(session: Session, first_event_ids: Collection[int]) -> Dict[int, ConversationReview]:
    ids = sorted(set(first_event_ids))
    found: Dict[int, ConversationReview] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(ConversationReview).where(ConversationReview.first_event_id.in_(chunk))
        ).scalars()
        found.update({row.first_event_id: row for row in rows})
    return found


def review_for(
    session: Session, first_event_id: int, sender: SenderKey, started_at: datetime, now: datetime
) -> ConversationReview:
    """The conversation's row, made on first use."""
    row = session.execute(
        select(ConversationReview).where(ConversationReview.first_event_id == first_event_id)
    ).scalar_one_or_none()
    if row is None:
        row = ConversationReview(
            first_event_id=first_event_id,
            channel=sender.channel,
            sender_id=sender.sender_id,
            started_at=started_at,
            tags="[]",
            updated_at=now,
        )
        session.add(row)
        session.flush()
    return row


def tags_of(row: Optional[ConversationReview]) -> List[str]:
    return list(json.loads(row.tags or "[]")) if row is not None else []


def forgotten_senders(session: Session) -> set:
    """Senders who asked to be forgotten and whose conversations the next purge deletes:
    nothing of theirs is shown meanwhile."""
    return set(session.execute(select(ForgetRequest.sender_id)).scalars())


def _delete(session: Session, rows: List[ConversationReview]) -> int:
    for row in rows:
        if row.story_file:
            # The candidate holds what the consumer wrote (masked): it goes with them.
            Path(row.story_file).unlink(missing_ok=True)
    if not rows:
        return 0
    return session.execute(
        delete(ConversationReview).where(ConversationReview.id.in_([row.id for row in rows]))
    ).rowcount


def forget_sender_reviews(session: Session, sender: SenderKey) -> int:
    rows = session.execute(
        select(ConversationReview).where(
            ConversationReview.channel == sender.channel,
            ConversationReview.sender_id == sender.sender_id,
        )
    ).scalars()
    return _delete(session, list(rows))


def purge_reviews(session: Session, before: datetime) -> int:
    rows = session.execute(
        select(ConversationReview).where(ConversationReview.started_at < before)
    ).scalars()
    return _delete(session, list(rows))


# --- what the conversations led to, from our own tables ------------------------------


def senders_of_account(session: Session, account_id: int) -> List[str]:
    """Who talked about the account: its linked users and whoever gave its readings."""
    linked = session.execute(
        select(AccountLink.sender_id).where(AccountLink.account_id == account_id)
    ).scalars()
    readers = session.execute(
        select(Reading.sender_id)
        .join(Meter, Meter.id == Reading.meter_id)
        .where(Meter.account_id == account_id, Reading.sender_id != "")
        .distinct()
    ).scalars()
    return sorted(set(linked) | set(readers))


def case_openings(session: Session, sender_ids: Collection[str]) -> Dict[str, List[tuple]]:
    """(opened_at, case id) of every case of these senders, by sender."""
    found: Dict[str, List[tuple]] = {}
    for chunk in _chunked(sender_ids):
        rows = session.execute(
            select(Case.sender_id, Case.opened_at, Case.id).where(Case.sender_id.in_(chunk))
        )
        for sender_id, opened_at, case_id in rows:
            found.setdefault(sender_id, []).append((opened_at, case_id))
    return found


def reading_times(
    session: Session, sender_ids: Collection[str], since: datetime
) -> Dict[str, List[datetime]]:
    """When each of these senders had a reading stored, from `since` on."""
    found: Dict[str, List[datetime]] = {}
    for chunk in _chunked(sender_ids):
        rows = session.execute(
            select(Reading.sender_id, Reading.submitted_at).where(
                Reading.sender_id.in_(chunk), Reading.submitted_at >= since
            )
        )
        for sender_id, submitted_at in rows:
            found.setdefault(sender_id, []).append(submitted_at)
    return found


def _chunked(values: Collection[str]) -> List[List[str]]:
    listed = sorted(set(values))
    return [listed[start : start + 500] for start in range(0, len(listed), 500)]
