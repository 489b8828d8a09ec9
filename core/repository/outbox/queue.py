"""The outbox queue: adding messages without duplicates, claiming rows safely,
recording outcomes, and the counts staff read.

Who a message goes to (reminders, broadcasts) is `core.repository.outbox.audience`.
Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import and_, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.db.models import MessengerUser, OutboxMessage, OutboxStatus
from core.senders import SenderKey

Button = Dict[str, str]
ERROR_LIMIT = 200


@dataclass(frozen=True)
class Planned:
    """A message to put in the outbox (nothing happens if its key is there already)."""

    key: str
    kind: str
    sender: SenderKey
    text: str
    buttons: Sequence[Button]
    not_before: datetime


@dataclass(frozen=True)
class Claimed:
    """A row a sender owns until its lease ends (a detached snapshot)."""

    id: int
    token: str
    kind: str
    channel: str
    sender_id: str
    text: str
    buttons: List[Button]
    attempts: int
    subscribed: Optional[bool]  # the user's recorded subscription, None if unknown


def enqueue(session: Session, planned: Iterable[Planned], now: datetime) -> int:
    """Adds the messages whose keys are new; returns how many were added."""
    rows = [
        {
            "key": p.key,
            "kind": p.kind,
            "channel": p.sender.channel,
            "sender_id": p.sender.sender_id,
            "text": p.text,
            "buttons": json.dumps(list(p.buttons), ensure_ascii=False),
            "status": OutboxStatus.pending.value,
            "attempts": 0,
            "next_attempt_at": p.not_before,
            "created_at": now,
            "last_error": "",
        }
        for p in planned
    ]
    if not rows:
        return 0
    already = existing_keys(session, [row["key"] for row in rows])
    # A key planned meanwhile by someone else is skipped too, not an error.
    session.execute(insert_new(session).on_conflict_do_nothing(index_elements=["key"]), rows)
    return len(rows) - len(already)


def insert_new(session: Session):
    """An INSERT into the outbox in the database's dialect, for ON CONFLICT (key) DO NOTHING."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(OutboxMessage)


def existing_keys(session: Session, keys: Sequence[str]) -> set:
    found = session.execute(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys)))
    return set(found.scalars())


def claim_due(
    session: Session,
    now: datetime,
    limit: int,
    channels: Sequence[str],
    lease_seconds: int,
    kinds: Optional[Sequence[str]] = None,
) -> List[Claimed]:
    """Claims up to `limit` due rows of these channels for one sender.

    On PostgreSQL rows another sender is claiming are skipped (`FOR UPDATE SKIP
    LOCKED`); SQLite runs each UPDATE with the database write lock held, so the
    same statement is safe there too. A `sending` row whose lease ran out (its
    sender died) is due again. The claim counts as an attempt, so a message
    that keeps killing its sender still ends up failed. `kinds` limits the
    claim (in quiet hours only a clerk's answers go out).
    """
    token = str(uuid.uuid4())
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel.in_(list(channels)),
            OutboxMessage.kind.in_(list(kinds)) if kinds is not None else true(),
            or_(
                and_(
                    OutboxMessage.status == OutboxStatus.pending.value,
                    OutboxMessage.next_attempt_at <= now,
                ),
                and_(
                    OutboxMessage.status == OutboxStatus.sending.value,
                    OutboxMessage.lease_until < now,
                ),
            ),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.sending.value,
            claim_token=token,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(
        select(OutboxMessage, MessengerUser.subscribed)
        .outerjoin(
            MessengerUser,
            and_(
                MessengerUser.channel == OutboxMessage.channel,
                MessengerUser.sender_id == OutboxMessage.sender_id,
            ),
        )
        .where(OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )
    return [
        Claimed(
            id=row.id,
            token=token,
            kind=row.kind,
            channel=row.channel,
            sender_id=row.sender_id,
            text=row.text,
            buttons=json.loads(row.buttons or "[]"),
            attempts=row.attempts,
            subscribed=subscribed,
        )
        for row, subscribed in rows
    ]


def _owned(message: Claimed):
    return and_(
        OutboxMessage.id == message.id,
        OutboxMessage.claim_token == message.token,
        OutboxMessage.status == OutboxStatus.sending.value,
    )


def _finish(session: Session, message: Claimed, **values) -> bool:
    """Writes the outcome if the row is still this sender's; False if the claim was lost."""
    result = session.execute(
        update(OutboxMessage)
        .where(_owned(message))
        .values(claim_token=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_sent(session: Session, message: Claimed, now: datetime) -> bool:
    return _finish(session, message, status=OutboxStatus.sent.value, sent_at=now, last_error="")


def mark_failed(session: Session, message: Claimed, error: str) -> bool:
    return _finish(
        session, message, status=OutboxStatus.failed.value, last_error=error[:ERROR_LIMIT]
    )


def mark_blocked(session: Session, message: Claimed, error: str) -> bool:
    return _finish(
        session, message, status=OutboxStatus.blocked.value, last_error=error[:ERROR_LIMIT]
    )


def retry_later(
    session: Session, message: Claimed, at: datetime, error: str = "", counted: bool = True
) -> bool:
    """Back to pending until `at`; `counted=False` gives the attempt back (not tried)."""
    values = {
        "status": OutboxStatus.pending.value,
        "next_attempt_at": at,
        "last_error": error[:ERROR_LIMIT],
    }
    if not counted:
        values["attempts"] = OutboxMessage.attempts - 1
    return _finish(session, message, **values)


def cancel_pending(session: Session, sender: SenderKey, kind: str) -> int:
    """Withdraws the user's messages of this kind not sent yet."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == sender.channel,
            OutboxMessage.sender_id == sender.sender_id,
            OutboxMessage.kind == kind,
            OutboxMessage.status == OutboxStatus.pending.value,
        )
        .values(status=OutboxStatus.cancelled.value)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def counts_by_kind_and_status(
    session: Session, since: Optional[datetime] = None, until: Optional[datetime] = None
) -> Dict[Tuple[str, str], int]:
    """{(kind, status): count} of the rows created in [since, until)."""
    query = select(OutboxMessage.kind, OutboxMessage.status, func.count()).group_by(
        OutboxMessage.kind, OutboxMessage.status
    )
    if since is not None:
        query = query.where(OutboxMessage.created_at >= since)
    if until is not None:
        query = query.where(OutboxMessage.created_at < until)
    return {(kind, status): count for kind, status, count in session.execute(query)}


def next_due(session: Session) -> Optional[datetime]:
    """When the earliest pending message becomes due."""
    return session.execute(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.pending.value
        )
    ).scalar_one_or_none()


def recent_errors(session: Session, limit: int = 10) -> List[Tuple[str, str, int]]:
    """(kind, last_error, count) of failed rows, most frequent first (no recipients)."""
    rows = session.execute(
        select(OutboxMessage.kind, OutboxMessage.last_error, func.count())
        .where(OutboxMessage.status == OutboxStatus.failed.value)
        .group_by(OutboxMessage.kind, OutboxMessage.last_error)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(kind, error, count) for kind, error, count in rows]


def reopen_cancelled(session: Session, key: str) -> None:
    """A withdrawn message is wanted again (reminders back on the same day)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key, OutboxMessage.status == OutboxStatus.cancelled.value)
        .values(status=OutboxStatus.pending.value)
        .execution_options(synchronize_session=False)
    )


def count_with_key_prefix(session: Session, prefix: str) -> int:
    """Rows whose key starts with `prefix` (LIKE, not a range: collations differ)."""
    return session.execute(
        select(func.count()).where(OutboxMessage.key.startswith(prefix, autoescape=True))
    ).scalar_one()
