"""An admin's operations on a conversation under review: tags, «переглянуто», the
saved test story. Each validates, writes its own audit entry and never commits."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import List

from sqlalchemy.orm import Session

from core.db.models import ConversationReview
from core.repository import audit as audit_repo
from core.repository import reviews as reviews_repo
from core.senders import SenderKey

MAX_TAGS = 8
MAX_TAG = 30
_TAG = re.compile(r"^[\w'’ -]+$")


class ReviewError(ValueError):
    """The change is not possible; the message says why, in Ukrainian."""


@dataclass(frozen=True)
class ConversationRef:
    """Which conversation of the tracker store: its first event, sender and start."""

    first_event_id: int
    sender: SenderKey
    started_at: datetime

    @property
    def target(self) -> str:
        return f"conversation:{self.first_event_id}"


def parse_tags(raw: str) -> List[str]:
    """«незрозуміле, показник» -> ["незрозуміле", "показник"]: lower case, no repeats."""
    tags: List[str] = []
    for part in (raw or "").split(","):
        tag = " ".join(part.split()).casefold()
        if not tag:
            continue
        if len(tag) > MAX_TAG or not _TAG.match(tag):
            raise ReviewError(
                f"Мітка «{tag[:MAX_TAG]}»: лише літери, цифри, пробіл і дефіс, до {MAX_TAG} символів."
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ReviewError(f"Не більше {MAX_TAGS} міток на розмову.")
    return tags


def _row(session: Session, ref: ConversationRef, now: datetime) -> ConversationReview:
    return reviews_repo.review_for(session, ref.first_event_id, ref.sender, ref.started_at, now)


def set_tags(
    session: Session, actor: str, now: datetime, ref: ConversationRef, raw: str
) -> List[str]:
    tags = parse_tags(raw)
    row = _row(session, ref, now)
    before = reviews_repo.tags_of(row)
    if before != tags:
        row.tags = json.dumps(tags, ensure_ascii=False)
        row.updated_at = now
        audit_repo.record_audit(session, actor, "conversation_tags", ref.target, before, tags, now)
        session.flush()
    return tags


def mark_reviewed(
    session: Session, actor: str, now: datetime, ref: ConversationRef, reviewed: bool
) -> None:
    row = _row(session, ref, now)
    if bool(row.reviewed_by) == reviewed:
        return
    before = row.reviewed_by
    row.reviewed_by, row.reviewed_at = (actor, now) if reviewed else (None, None)
    row.updated_at = now
    audit_repo.record_audit(
        session, actor, "conversation_reviewed", ref.target, before, row.reviewed_by, now
    )
    session.flush()


def story_saved(
    session: Session, actor: str, now: datetime, ref: ConversationRef, path: str
) -> None:
    """Records the test story candidate written from the conversation."""
    row = _row(session, ref, now)
    row.story_file, row.story_saved_by, row.story_saved_at = path, actor, now
    row.updated_at = now
    audit_repo.record_audit(
        session, actor, "conversation_story", ref.target, None, {"file": path}, now
    )
    session.flush()
