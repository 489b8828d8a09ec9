"""Staff users of the web console and their sign-in attempts.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from core.db.models import LoginAttempt, StaffUser


def staff_user(session: Session, username: str) -> Optional[StaffUser]:
    return session.execute(
        select(StaffUser).where(StaffUser.username == username.strip().lower())
    ).scalar_one_or_none()


def staff_users(session: Session) -> List[StaffUser]:
    return list(session.execute(select(StaffUser).order_by(StaffUser.username)).scalars())


def record_login_attempt(
    session: Session, username: str, client: str, succeeded: bool, now: datetime
) -> None:
    session.add(
        LoginAttempt(
            username=username.strip().lower()[:60],
            client=client[:64],
            succeeded=succeeded,
            attempted_at=now,
        )
    )
    session.flush()


def reserve_login_attempt(
    session: Session,
    username: str,
    client: str,
    now: datetime,
    window: timedelta,
    limits: Tuple[int, int],
) -> Tuple[Optional[int], Optional[datetime]]:
    """Counts a sign-in attempt as failed before its password is checked, and
    only then counts: parallel attempts cannot all see the same old count.

    The counting is serialised per user name and client: PostgreSQL takes
    transaction-scoped advisory locks, SQLite's write lock (taken by the insert)
    is held until the caller's unit of work commits. Returns (attempt id, None),
    or (None, when the throttle frees) if the user name or the client already
    has `limits` = (per user, per client) failures in the window; a refused
    attempt is not recorded (it would keep an attacker's lock-out running forever).
    """
    username, client = username.strip().lower()[:60], client[:64]
    if session.get_bind().dialect.name == "postgresql":
        for key in (f"login:user:{username}", f"login:client:{client}"):
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    attempt = LoginAttempt(username=username, client=client, succeeded=False, attempted_at=now)
    session.add(attempt)
    session.flush()
    since = now - window
    for failures, limit in (
        (failed_logins_since(session, since, username=username), limits[0]),
        (failed_logins_since(session, since, client=client), limits[1]),
    ):
        earlier = failures[:-1]  # this attempt is the latest of them (or ties with it)
        if len(earlier) >= limit:
            session.delete(attempt)
            session.flush()
            # Free again when the oldest counted failure leaves the window.
            return None, earlier[-limit] + window
    return attempt.id, None


def settle_login_attempt(session: Session, attempt_id: int, succeeded: bool) -> None:
    session.execute(
        update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=succeeded)
    )


def failed_logins_since(
    session: Session, since: datetime, username: Optional[str] = None, client: Optional[str] = None
) -> List[datetime]:
    """Times of failed attempts after `since` (for one user name or one client), oldest first."""
    query = select(LoginAttempt.attempted_at).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since
    )
    if username is not None:
        query = query.where(LoginAttempt.username == username.strip().lower()[:60])
    if client is not None:
        query = query.where(LoginAttempt.client == client[:64])
    return list(session.execute(query.order_by(LoginAttempt.attempted_at)).scalars())
