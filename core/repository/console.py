"""Queries of the staff web console: staff users, login attempts, the audit log,
account search and the month's figures aggregated in the database.

Every function takes the caller's session and never commits: the caller owns
the unit of work (`core.db.engine.unit_of_work` / `run_unit_of_work`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from core.db.models import (
    Account,
    AccountLink,
    AuditEntry,
    LoginAttempt,
    Meter,
    Reading,
    ReadingSource,
    StaffUser,
)
from core.repository import events as events_repo
from core.settings import KYIV, month_bounds

# --- staff users -------------------------------------------------------------------


def staff_user(session: Session, username: str) -> Optional[StaffUser]:
    return session.execute(
        select(StaffUser).where(StaffUser.username == username.strip().lower())
    ).scalar_one_or_none()


def staff_users(session: Session) -> List[StaffUser]:
    return list(session.execute(select(StaffUser).order_by(StaffUser.username)).scalars())


# --- login attempts ----------------------------------------------------------------


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


# --- audit log -----------------------------------------------------------------------


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


# --- accounts --------------------------------------------------------------------------


def search_accounts(session: Session, text: str, limit: int = 50) -> List[Account]:
    """Accounts whose number starts with the digits given, or whose address contains the words."""
    text = " ".join(text.split())
    if not text:
        return []
    digits = "".join(ch for ch in text if ch.isdigit())
    conditions = []
    if digits and len(digits) == len(text.replace(" ", "").replace("-", "")):
        conditions.append(Account.number.like(f"{digits}%"))
    else:
        # Every word must appear in street, house or apartment ("Соборності 12 5").
        address = Account.street + " " + Account.house + " " + Account.apartment
        words = [word for word in text.replace(",", " ").split() if word]
        conditions.append(and_(*(_contains(address, word) for word in words)))
    rows = session.execute(
        select(Account).where(or_(*conditions)).order_by(Account.number).limit(limit)
    )
    return list(rows.scalars())


def _contains(address, word: str):
    # SQLite's lower() folds ASCII only: also try the word as typed and capitalised.
    return or_(
        func.lower(address).contains(word.lower()),
        address.contains(word),
        address.contains(word[:1].upper() + word[1:].lower()),
    )


def account_by_id(session: Session, account_id: int) -> Optional[Account]:
    return session.get(Account, account_id)


def account_meters(session: Session, account_id: int) -> List[Meter]:
    """All meters of the account, active first."""
    rows = session.execute(
        select(Meter)
        .where(Meter.account_id == account_id)
        .order_by(Meter.active.desc(), Meter.kind, Meter.id)
    )
    return list(rows.scalars())


def account_links(session: Session, account_id: int) -> List[AccountLink]:
    rows = session.execute(
        select(AccountLink)
        .where(AccountLink.account_id == account_id)
        .order_by(AccountLink.linked_at, AccountLink.id)
    )
    return list(rows.scalars())


def meter_readings(session: Session, meter_ids: List[int], periods: int = 12) -> List[Reading]:
    """Every reading (in force and superseded) of the meters' newest periods, newest first."""
    if not meter_ids:
        return []
    rows = session.execute(
        select(Reading)
        .where(Reading.meter_id.in_(meter_ids))
        .order_by(Reading.period.desc(), Reading.meter_id, Reading.submitted_at.desc())
    )
    readings = list(rows.scalars())
    newest = sorted({r.period for r in readings}, reverse=True)[:periods]
    return [r for r in readings if r.period in set(newest)]


# --- the month in figures ------------------------------------------------------------------


@dataclass
class MonthFigures:
    """What the console's month page shows, aggregated by the database."""

    period: str
    active_accounts: int = 0
    accounts_due: int = 0  # active accounts with at least one active meter
    accounts_submitted: int = 0
    active_meters: int = 0
    meters_submitted: int = 0
    per_day: Dict[date, Counter] = field(default_factory=lambda: defaultdict(Counter))
    rejections: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)

    @property
    def channels(self) -> List[str]:
        return sorted({channel for counts in self.per_day.values() for channel in counts})

    @property
    def by_channel(self) -> Counter:
        total: Counter = Counter()
        for counts in self.per_day.values():
            total.update(counts)
        return total

    @property
    def readings(self) -> int:
        return sum(self.by_channel.values())


def month_figures(session: Session, period: str) -> MonthFigures:
    """The month page's figures in a few aggregate queries.

    Readings are counted by UTC hour in SQL and folded into Kyiv days here:
    Kyiv's offset is a whole number of hours, so an hour never straddles two
    Kyiv days, and neither backend has to know the time zone.
    """
    figures = MonthFigures(period)
    figures.active_accounts = session.execute(
        select(func.count()).select_from(Account).where(Account.active.is_(True))
    ).scalar_one()
    # Grouping by account and counting the groups is a hash aggregate;
    # count(DISTINCT account_id) would sort 300,000 rows on PostgreSQL.
    figures.accounts_due, figures.active_meters = _groups_and_rows(
        session,
        select(Meter.account_id, func.count().label("n"))
        .join(Account, Meter.account_id == Account.id)
        .where(Meter.active.is_(True), Account.active.is_(True))
        .group_by(Meter.account_id),
    )
    figures.accounts_submitted, figures.meters_submitted = _groups_and_rows(
        session,
        select(Meter.account_id, func.count().label("n"))
        .select_from(Reading)
        .join(Meter, Reading.meter_id == Meter.id)
        .join(Account, Meter.account_id == Account.id)
        .where(
            Reading.period == period,
            Reading.in_force,
            Reading.source == ReadingSource.assistant,
            Meter.active.is_(True),
            Account.active.is_(True),
        )
        .group_by(Meter.account_id),
    )

    hour = _utc_hour(session, Reading.submitted_at)
    rows = session.execute(
        select(hour, Reading.channel, func.count())
        .where(
            Reading.period == period,
            Reading.in_force,
            Reading.source == ReadingSource.assistant,
        )
        .group_by(hour, Reading.channel)
    )
    for bucket, channel, count in rows:
        figures.per_day[_kyiv_day(bucket)][channel or "?"] += count

    start, end = month_bounds(period)
    figures.rejections, figures.fallbacks = events_repo.month_event_counts(session, start, end)
    return figures


def _groups_and_rows(session: Session, grouped) -> Tuple[int, int]:
    """How many groups a grouped query has, and how many rows they hold together."""
    sub = grouped.subquery()
    groups, rows = session.execute(select(func.count(), func.sum(sub.c.n))).one()
    return int(groups or 0), int(rows or 0)


def _utc_hour(session: Session, column):
    if session.get_bind().dialect.name == "sqlite":
        # AwareDateTime stores naive UTC text on SQLite.
        return func.strftime("%Y-%m-%d %H", column)
    # A naive UTC timestamp truncated to the hour; cheaper than formatting every row.
    return func.date_trunc("hour", func.timezone("UTC", column))


def _kyiv_day(bucket) -> date:
    if isinstance(bucket, str):
        bucket = datetime.strptime(bucket, "%Y-%m-%d %H")
    return bucket.replace(tzinfo=timezone.utc).astimezone(KYIV).date()


def period_days(period: str) -> Tuple[date, date]:
    """First and last day of a period."""
    start, end = month_bounds(period)
    return start.date(), (end - timedelta(days=1)).date()
