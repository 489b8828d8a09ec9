"""Cases on the consumer's side: opening, what the consumer writes, leaving.

Every function takes the caller's session and never commits. A sender has at
most one open case; while it is open the channels route the chat to it
(`channels.handoff`) and the assistant does not see the messages.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core import metrics
from core.accounts.lookup import linked_account_views
from core.db.models import Case, CaseAuthor, CaseMessage, CaseStatus
from core.senders import SenderKey

OPEN = (CaseStatus.new.value, CaseStatus.waiting_us.value, CaseStatus.waiting_consumer.value)
# Why «Написати працівнику» was offered (the button's payload names it).
REASONS = ("asked", "misunderstood", "complaint", "meter")
# The conversation before the case, shown to the clerk: the latest turns.
HISTORY_TURNS = 10


def open_case_of(session: Session, sender: SenderKey) -> Optional[Case]:
    return session.execute(
        select(Case)
        .where(
            Case.channel == sender.channel,
            Case.sender_id == sender.sender_id,
            Case.status.in_(OPEN),
        )
        .order_by(Case.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_case(
    session: Session,
    sender: SenderKey,
    reason: str,
    history: Sequence[Tuple[str, str]],
    now: datetime,
) -> Tuple[Case, bool]:
    """Opens a case with the sender's proved accounts and the conversation so far.

    Args:
        history: (author, text) of the latest turns, oldest first; author is
            "consumer" or "assistant".

    Returns:
        The case and whether it is new (an open one is returned as it is).
    """
    existing = open_case_of(session, sender)
    if existing is not None:
        return existing, False
    accounts = [view.number for view in linked_account_views(session, sender)]
    case = Case(
        channel=sender.channel,
        sender_id=sender.sender_id,
        status=CaseStatus.new.value,
        reason=reason if reason in REASONS else "asked",
        accounts=json.dumps(accounts),
        opened_at=now,
        updated_at=now,
        close_reason="",
    )
    session.add(case)
    session.flush()
    metrics.count_on_commit(session, metrics.CASES_OPENED.labels(sender.channel, case.reason))
    for author, text in list(history)[-HISTORY_TURNS:]:
        session.add(
            CaseMessage(case_id=case.id, author=author, text=text, created_at=now, clerk=None)
        )
    session.flush()
    return case, True


def consumer_wrote(
    session: Session, case: Case, text: str, attachment_token: Optional[str], now: datetime
) -> bool:
    """Adds what the consumer wrote; True if it is their first message in the case."""
    first = case.last_consumer_at is None
    session.add(
        CaseMessage(
            case_id=case.id,
            author=CaseAuthor.consumer.value,
            text=text,
            attachment_token=attachment_token,
            created_at=now,
        )
    )
    if case.status == CaseStatus.waiting_consumer.value:
        case.status = CaseStatus.waiting_us.value
    case.last_consumer_at = now
    case.updated_at = now
    session.flush()
    return first


def consumer_left(session: Session, case: Case, now: datetime) -> None:
    """«повернутися до бота»: the case closes and the chat is the assistant's again."""
    case.status = CaseStatus.closed.value
    case.closed_at = now
    case.closed_by = "consumer"
    case.close_reason = "споживач повернувся до бота"
    case.updated_at = now
    observe_closing(session, case)
    session.flush()


def observe_closing(session: Session, case: Case) -> None:
    seconds = (case.closed_at - case.opened_at).total_seconds()
    metrics.count_on_commit(session, metrics.CASE_CLOSE_SECONDS, max(seconds, 0))


def case_messages(session: Session, case_id: int) -> List[CaseMessage]:
    return list(
        session.execute(
            select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
        ).scalars()
    )


def case_accounts(case: Case) -> List[str]:
    return list(json.loads(case.accounts or "[]"))


def cases_with_status(session: Session, status: str, limit: int = 100) -> List[Case]:
    query = select(Case).where(Case.status == status)
    order = Case.updated_at.desc() if status == CaseStatus.closed.value else Case.updated_at
    return list(session.execute(query.order_by(order).limit(limit)).scalars())


def counts_by_status(session: Session) -> Dict[str, int]:
    rows = session.execute(select(Case.status, func.count()).group_by(Case.status))
    counts = {status.value: 0 for status in CaseStatus}
    counts.update({status: count for status, count in rows})
    return counts


def _delete_cases(session: Session, case_ids: List[int]) -> int:
    if not case_ids:
        return 0
    session.execute(delete(CaseMessage).where(CaseMessage.case_id.in_(case_ids)))
    return session.execute(delete(Case).where(Case.id.in_(case_ids))).rowcount


def forget_sender_cases(session: Session, sender: SenderKey) -> int:
    """«Забудьте мене»: the sender's cases and their transcripts, at once."""
    ids = session.execute(
        select(Case.id).where(Case.channel == sender.channel, Case.sender_id == sender.sender_id)
    ).scalars()
    return _delete_cases(session, list(ids))


def purge_cases(session: Session, before: datetime) -> int:
    """Closed cases are kept as long as the conversations (`RETENTION_DAYS`)."""
    ids = session.execute(
        select(Case.id).where(Case.closed_at.is_not(None), Case.closed_at < before)
    ).scalars()
    return _delete_cases(session, list(ids))
