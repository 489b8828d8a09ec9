"""A clerk's operations on cases: read, take, reply, close. Each validates, writes its
own audit entry and never commits; the console only calls them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Dict, List, Optional, Tuple

from sqlalchemy.orm import Session

from core import metrics
from core.db.models import Account, Case, CaseAuthor, CaseMessage, CaseStatus, OutboxKind, Reading
from core.handoff.cases import OPEN, case_accounts, case_messages, observe_closing
from core.outbox.config import load_outbox_config
from core.outbox.quiet import not_before_quiet_end
from core.repository import accounts as accounts_repo
from core.repository import attachments as attachments_repo
from core.repository import audit as audit_repo
from core.repository import readings as readings_repo
from core.repository.outbox import queue as outbox_queue
from core.repository.outbox.queue import Planned
from core.senders import SenderKey
from core.staff.accounts import READ_PREFIX
from core.texts.common import meter_title
from core.texts.handoff import clerk_reply_text, closed_text

MAX_REPLY = 3000
# A consumer who wrote this recently is in the chat: the answer goes even at night.
FRESH_CONSUMER = timedelta(hours=3)


class CaseError(ValueError):
    """The operation is not possible; the message says why, in Ukrainian."""


@dataclass(frozen=True)
class AccountFacts:
    account: Account
    meters: List[Tuple[str, Optional[Reading]]]  # (meter's title, its latest reading)


@dataclass(frozen=True)
class CasePage:
    case: Case
    lines: List[Tuple[CaseMessage, Optional[int]]]  # (message, attachment id)
    facts: List[AccountFacts]  # each proved account with its meters


def _facts(session: Session, numbers: List[str]) -> List[AccountFacts]:
    facts = []
    for number in numbers:
        account = accounts_repo.find_account(session, number)
        if account is None:
            continue
        meters = accounts_repo.account_meters(session, account.id)
        latest: Dict[int, Reading] = {}
        for reading in readings_repo.meter_readings(session, [m.id for m in meters], periods=1):
            latest.setdefault(reading.meter_id, reading)
        titled = [
            (meter_title(m.kind.value, m.serial, m.unit, m.location), latest.get(m.id))
            for m in meters
        ]
        facts.append(AccountFacts(account, titled))
    return facts


def case_page(session: Session, actor: str, now: datetime, case_id: int) -> Optional[CasePage]:
    """The transcript beside the accounts' facts; the read is audited."""
    case = session.get(Case, case_id)
    if case is None:
        return None
    lines = []
    for message in case_messages(session, case_id):
        attachment = (
            attachments_repo.by_token(session, message.attachment_token)
            if message.attachment_token
            else None
        )
        lines.append((message, attachment.id if attachment else None))
    audit_repo.record_audit(
        session, actor, READ_PREFIX + "case", f"case:{case.id}", None, None, now
    )
    return CasePage(case, lines, _facts(session, case_accounts(case)))


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
        audit_repo.record_audit(session, actor, "case_take", f"case:{case.id}", before, actor, now)
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
    audit_repo.record_audit(
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
    audit_repo.record_audit(
        session, actor, "case_close", f"case:{case.id}", before, "closed", now, reason=reason
    )
    session.flush()
    return case
