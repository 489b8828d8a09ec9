"""A staff broadcast (`teplo broadcast`): a preview, then sending with the count
confirmed; the sending is audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.outbox.broadcast import Audience, BroadcastPlan, enqueue, prepare
from core.repository import audit as audit_repo
from core.staff.result import Result


def preview(session: Session, now: datetime, text: str, audience: Audience) -> BroadcastPlan:
    """Who would get the text and from when; nothing is stored."""
    return prepare(session, text, audience, now)


def send(
    session: Session, actor: str, now: datetime, text: str, audience: Audience, expect: int
) -> Result:
    """Queues the broadcast if the audience still has the confirmed size.
    The value is (plan, messages newly queued)."""
    plan = prepare(session, text, audience, now)
    count = len(plan.recipients)
    if expect != count:
        return Result.refused(
            f"Одержувачів зараз {count}, а підтверджено {expect}; перегляньте розсилку ще раз.",
            (plan, 0),
        )
    added = enqueue(session, plan, now)
    audit_repo.record_audit(
        session,
        actor,
        "broadcast",
        audience.describe(),
        None,
        {"recipients": count, "queued": added, "by_channel": plan.by_channel, "text": plan.text},
        now,
    )
    return Result.done(
        f"У черзі нових повідомлень: {added} (решта вже були в черзі раніше).", (plan, added)
    )
