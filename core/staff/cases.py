"""A clerk's operations on cases: take, reply, close. Each validates, writes its own
audit entry and never commits; the console only calls them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core import metrics
from core.db.models import Case, CaseAuthor, CaseMessage, CaseStatus, OutboxKind
from core.handoff.cases import OPEN, observe_closing
from core.outbox.config import load_outbox_config
from core.outbox.quiet import not_before_quiet_end
from core.repository import console as console_repo
from core.repository.outbox import queue as outbox_queue
from core.repository.outbox.queue import Planned
from core.senders import SenderKey
from core.texts.handoff import clerk_reply_text, closed_text

MAX_REPLY = 3000
# A consumer who wrote this recently is in the chat: the answer goes even at night.
FRESH_CONSUMER = timedelta(hours=3)


class CaseError(ValueError):
    """The operation is not possible; the message says why, in Ukrainian."""


def _open_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseError("Такого звернення немає.")
    if case.status not in OPEN:
        raise CaseError("Звернення вже закрите.")
    return case


def take(session: Session, actor: str, now: datetime, case_id: int) -> Case:
    """The clerk works on the case; others see «працює …» (taking it over is audited)."""
    case = _open_case(session, case_id)
    before = case.assigned_to
    if before != actor:
        case.assigned_to = actor
        console_repo.record_audit(
            session, actor, "case_take", f"case:{case.id}", before, actor, now
        )
        session.flush()
    return case


def _send(session: Session, case: Case, message_id: int, text: str, now: datetime) -> None:
    fresh = case.last_consumer_at is not None and now - case.last_consumer_at <= FRESH_CONSUMER
    config = load_outbox_config()
    outbox_queue.enqueue(
        session,
        [
            Planned(
                key=f"case:{case.id}:{message_id}",
                kind=OutboxKind.case_reply.value,
                sender=SenderKey(case.channel, case.sender_id),
                text=text,
                buttons=[],
                # Quiet hours hold the answer only for a consumer who left the chat long ago.
                not_before=now
                if fresh
                else not_before_quiet_end(now, config.quiet_start, config.quiet_end),
            )
        ],
        now,
    )


def reply(session: Session, actor: str, now: datetime, case_id: int, text: str) -> CaseMessage:
    """The clerk's answer goes to the consumer's chat through the outbox."""
    text = (text or "").strip()
    if not text:
        raise CaseError("Напишіть відповідь.")
    if len(text) > MAX_REPLY:
        raise CaseError(f"Відповідь задовга: до {MAX_REPLY} символів.")
    case = _open_case(session, case_id)
    if case.assigned_to not in (None, actor):
        raise CaseError(f"Зверненням уже займається {case.assigned_to}. Спершу візьміть його.")
    case.assigned_to = actor
    message = CaseMessage(
        case_id=case.id, author=CaseAuthor.clerk.value, clerk=actor, text=text, created_at=now
    )
    session.add(message)
    session.flush()
    _send(session, case, message.id, clerk_reply_text(text), now)
    if case.first_reply_at is None:
        case.first_reply_at = now
        waited = (now - case.opened_at).total_seconds()
        metrics.count_on_commit(session, metrics.CASE_FIRST_REPLY_SECONDS, max(waited, 0))
    case.status = CaseStatus.waiting_consumer.value
    case.updated_at = now
    console_repo.record_audit(
        session, actor, "case_reply", f"case:{case.id}", None, {"message": message.id}, now
    )
    session.flush()
    return message


def close(session: Session, actor: str, now: datetime, case_id: int, reason: str) -> Case:
    """Closes the case with a reason; the chat is the assistant's again and the consumer is told."""
    reason = (reason or "").strip()
    if not reason:
        raise CaseError("Вкажіть причину закриття.")
    case = _open_case(session, case_id)
    if case.assigned_to not in (None, actor):
        raise CaseError(f"Зверненням уже займається {case.assigned_to}. Спершу візьміть його.")
    before = case.status
    case.status = CaseStatus.closed.value
    case.closed_at, case.closed_by, case.close_reason, case.updated_at = now, actor, reason, now
    observe_closing(session, case)
    notice = CaseMessage(
        case_id=case.id,
        author=CaseAuthor.assistant.value,
        text=closed_text(case.id, reason),
        created_at=now,
    )
    session.add(notice)
    session.flush()
    _send(session, case, notice.id, notice.text, now)
    console_repo.record_audit(
        session, actor, "case_close", f"case:{case.id}", before, "closed", now, reason=reason
    )
    session.flush()
    return case
