"""Staff users of the web console (`teplo console-user`): added, given a new
password or role, disabled or enabled again; every change audited as `staff_user`.
The password arrives hashed: checking its strength and hashing it stay with the caller."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from core.db.models import StaffRole, StaffUser
from core.repository import audit as audit_repo
from core.repository import staff_users as staff_users_repo
from core.staff.result import Result

_USERNAME = re.compile(r"^[a-z0-9._-]{2,60}$")
ROLE_LABELS = {StaffRole.clerk.value: "оператор", StaffRole.admin.value: "адміністратор"}


def username_problem(username: str) -> str:
    """Why a name cannot be a staff user's (empty: it can); asked before the password."""
    if _USERNAME.match(username.strip().lower()):
        return ""
    return "Ім’я для входу: 2–60 символів, латиниця, цифри, крапка, _ або -."


def add_user(
    session: Session,
    actor: str,
    now: datetime,
    username: str,
    role: str,
    full_name: str,
    password_hash: str,
) -> Result:
    problem = username_problem(username)
    if problem:
        return Result.refused(problem)
    username = username.strip().lower()
    if staff_users_repo.staff_user(session, username) is not None:
        return Result.refused(f"Працівник «{username}» уже є.")
    session.add(
        StaffUser(
            username=username,
            full_name=full_name.strip(),
            password_hash=password_hash,
            role=StaffRole(role).value,
            active=True,
            created_at=now,
        )
    )
    session.flush()
    audit_repo.record_audit(
        session, actor, "staff_user", username, None, {"role": role, "active": True}, now
    )
    return Result.done(f"Працівника «{username}» додано: {ROLE_LABELS[role]}.")


def _change(session: Session, actor: str, now: datetime, username: str, change) -> Result:
    user = staff_users_repo.staff_user(session, username)
    if user is None:
        return Result.refused(f"Працівника «{username.strip()}» немає.")
    before, after, message = change(user)
    session.flush()
    audit_repo.record_audit(session, actor, "staff_user", user.username, before, after, now)
    return Result.done(message)


def set_password(
    session: Session, actor: str, now: datetime, username: str, password_hash: str
) -> Result:
    def change(user: StaffUser):
        user.password_hash = password_hash
        user.session_epoch += 1  # open sessions end with the old password
        return None, {"password": "змінено"}, f"Пароль «{user.username}» змінено."

    return _change(session, actor, now, username, change)


def set_role(session: Session, actor: str, now: datetime, username: str, role: str) -> Result:
    def change(user: StaffUser):
        before, user.role = user.role, StaffRole(role).value
        return {"role": before}, {"role": role}, f"«{user.username}» тепер {ROLE_LABELS[role]}."

    return _change(session, actor, now, username, change)


def set_active(session: Session, actor: str, now: datetime, username: str, active: bool) -> Result:
    def change(user: StaffUser):
        before, user.active = user.active, active
        state = "увімкнено" if active else "вимкнено"
        return {"active": before}, {"active": active}, f"«{user.username}» {state}."

    return _change(session, actor, now, username, change)
