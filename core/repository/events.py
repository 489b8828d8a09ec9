"""Anonymous conversation events that staff statistics count.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.models import ConversationEvent, EventKind


def record_event(
    session: Session, kind: EventKind, reason: str, channel: str, now: datetime
) -> None:
    session.add(
        # A reason may be a str-based enum (a rejection code): stored as its plain value.
        ConversationEvent(
            kind=kind.value,
            reason=str(getattr(reason, "value", reason)),
            channel=channel,
            occurred_at=now,
        )
    )
    session.flush()


def month_event_counts(session: Session, start: datetime, end: datetime) -> Tuple[Counter, Counter]:
    """Refused readings by reason and misunderstood messages by channel, start <= t < end."""
    rejections: Counter = Counter()
    fallbacks: Counter = Counter()
    rows = session.execute(
        select(
            ConversationEvent.kind,
            ConversationEvent.reason,
            ConversationEvent.channel,
            func.count(ConversationEvent.id),
        )
        .where(ConversationEvent.occurred_at >= start, ConversationEvent.occurred_at < end)
        .group_by(ConversationEvent.kind, ConversationEvent.reason, ConversationEvent.channel)
    )
    for kind, reason, channel, count in rows:
        if kind == EventKind.reading_rejected.value:
            rejections[reason] += count
        elif kind == EventKind.fallback.value:
            fallbacks[channel or "?"] += count
    return rejections, fallbacks
