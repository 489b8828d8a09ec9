"""What the engineer and the timers run with `teplo`: the billing API keys, the
hand-over drop, the reminders' planning and the retention purge. They change what
the assistant holds or sends, so they are audited like the clerks' changes: the
log then shows every change, whichever door it came through.

A run that changed nothing (a drop with nothing new, a day without reminders)
leaves no entry, so the hourly and daily timers do not bury the clerks' work.
Entries hold counts, file names and key names, never a consumer's data.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import List, Optional, Tuple

from sqlalchemy.orm import Session

from core.billing import api_keys, delivery
from core.db.engine import unit_of_work
from core.outbox import reminders
from core.privacy import Purged, purge_expired
from core.repository import audit as audit_repo
from core.repository import privacy as privacy_repo
from core.settings import get_settings


def create_api_key(
    session: Session, actor: str, now: datetime, name: str
) -> Tuple[api_keys.KeyInfo, str]:
    """A new key for a billing client (returned in clear this once)."""
    info, token = api_keys.create_key(session, name, now)
    audit_repo.record_audit(session, actor, "billing_key_create", f"ключ API {name}", None, {}, now)
    return info, token


def revoke_api_key(session: Session, actor: str, now: datetime, name: str) -> api_keys.KeyInfo:
    info = api_keys.revoke_key(session, name, now)
    audit_repo.record_audit(
        session,
        actor,
        "billing_key_revoke",
        f"ключ API {name}",
        None,
        {"revoked_at": info.revoked_at},
        now,
    )
    return info


def plan_reminders(session: Session, actor: str, now: datetime) -> reminders.PlanResult:
    """Today's deadline reminders into the outbox; audited when any were added."""
    result = reminders.plan_reminders(session, now)
    if result.added and result.slot is not None:
        audit_repo.record_audit(
            session,
            actor,
            "plan_reminders",
            f"нагадування за {result.slot.period}",
            None,
            {
                "days_before": result.slot.days_before,
                "added": result.added,
                "planned": result.planned,
                "not_before": result.not_before,
            },
            now,
        )
    return result


def drop_readings(
    actor: str, folder: Optional[Path] = None, encoding: Optional[str] = None
) -> delivery.DropResult:
    """One hand-over run into billing's folder.

    The drop commits in steps of its own (each row belongs to exactly one file
    even if the run dies), so the audit entry follows in a unit of work after them.
    """
    result = delivery.drop_readings(folder, encoding)
    files = ([result.written] if result.written is not None else []) + result.finished
    if files or result.acknowledged:
        with unit_of_work() as session:
            audit_repo.record_audit(
                session,
                actor,
                "billing_drop",
                "передавання показників у теку білінгу",
                None,
                {
                    "files": {file.name: file.rows for file in files},
                    "acknowledged": [file.name for file in result.acknowledged],
                },
                get_settings().now(),
            )
    return result


def purge_expired_data(
    session: Session, now: datetime, keep_days: int
) -> Tuple[Purged, List[int], List[str]]:
    """The database's share of the retention purge: the rows past their time, and
    the forget-me requests (ids, sender ids) whose conversations must go next."""
    purged = purge_expired(session, now, keep_days)
    requests = privacy_repo.forget_requests(session)
    return purged, [request.id for request in requests], [r.sender_id for r in requests]


def finish_purge(
    session: Session,
    actor: str,
    now: datetime,
    keep_days: int,
    purged: Purged,
    request_ids: List[int],
    conversation_events: int,
) -> None:
    """Closes the forget-me requests once their conversations are gone from the
    tracker store, and audits the whole run when it deleted anything."""
    privacy_repo.delete_forget_requests(session, request_ids)
    counts = {name: count for name, count in asdict(purged).items() if count}
    if conversation_events:
        counts["tracker_events"] = conversation_events
    if counts or request_ids:
        audit_repo.record_audit(
            session,
            actor,
            "privacy_purge",
            f"строк зберігання {keep_days} дн.",
            None,
            {"deleted": counts, "forget_requests": len(request_ids)},
            now,
        )
