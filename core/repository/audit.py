"""The audit log: who changed or read what, when, from which door (console or `teplo`).

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, List

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import AuditEntry


def record_audit(
    session: Session,
    username: str,
    action: str,
    target: str,
    before: Any,
    after: Any,
    now: datetime,
    reason: str = "",
) -> AuditEntry:
    """Writes one audit entry; `before`/`after` are stored as JSON (None as empty)."""
    entry = AuditEntry(
        at=now,
        username=username,
        action=action,
        target=target,
        before=_as_json(before),
        after=_as_json(after),
        reason=reason,
    )
    session.add(entry)
    session.flush()
    return entry


def _as_json(value: Any) -> str:
    return (
        "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    )


def audit_entries(
    session: Session, limit: int, offset: int = 0, username: str = "", action: str = ""
) -> List[AuditEntry]:
    query = select(AuditEntry)
    if username:
        query = query.where(AuditEntry.username == username)
    if action:
        query = query.where(AuditEntry.action == action)
    rows = session.execute(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return list(rows.scalars())
