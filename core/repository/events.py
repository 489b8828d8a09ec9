"""Anonymous conversation events that staff statistics count.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime

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
