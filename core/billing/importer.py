"""Bringing the subscriber database in line with a billing export.

The whole import is a few set operations in memory plus batched statements:
existing keys are loaded in one query per table, the differences are planned
in Python, then written in batches (`core.billing.bulk`). Row-by-row ORM work would
take hours at 300,000 meters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Dict, List, NamedTuple, Optional, Tuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.billing.bulk import insert_rows, set_where_id_in, update_by_id
from core.billing.subscriber_file import AccountData, MeterData, SubscriberFile
from core.db.models import Account, Meter, Reading, ReadingSource, period_of
from core.errors import StaffError
from core.settings import KYIV

# How many decimals a new meter shows when billing does not say (as in the demo data).
DEFAULT_DECIMALS = {"Gcal": 3, "MWh": 3, "kWh": 0, "m3": 3}
# A billing reading is dated by day; noon keeps it on that day in any time zone.
BILLING_READING_TIME = time(12, 0)
BILLING_CHANNEL = "billing"
# `--full` with a truncated or wrong file would switch off most subscribers;
# more than this share (and more than MASS_MINIMUM accounts) needs a flag.
MASS_SHARE = Decimal("0.10")
MASS_MINIMUM = 100

ACCOUNT_FIELDS = ("owner_name", "street", "house", "apartment")
# Written only from a file with the phone column (`SubscriberFile.has_phone`).
WITH_PHONE = (*ACCOUNT_FIELDS, "phone")


class _Account(NamedTuple):
    id: int
    number: str
    owner_name: str
    street: str
    house: str
    apartment: str
    active: bool
    phone: Optional[str]


class _Meter(NamedTuple):
    id: int
    account_id: int
    serial: str
    kind: object
    unit: str
    decimals: int
    active: bool
    display_digits: Optional[int]


class _Latest(NamedTuple):
    """A meter's newest reading in force."""

    id: int
    meter_id: int
    period: str
    value: Decimal
    submitted_at: datetime


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    deactivated: int = 0


@dataclass
class ImportPlan:
    """Everything the import will write, computed before writing anything."""

    new_accounts: List[AccountData] = field(default_factory=list)
    changed_accounts: List[Tuple[int, AccountData]] = field(default_factory=list)
    deactivate_accounts: List[int] = field(default_factory=list)
    new_meters: List[MeterData] = field(default_factory=list)
    changed_meters: List[Tuple[int, MeterData, int]] = field(
        default_factory=list
    )  # id, data, decimals
    deactivate_meters: List[int] = field(default_factory=list)
    new_readings: List[MeterData] = field(default_factory=list)
    superseded_readings: List[int] = field(default_factory=list)
    readings_unchanged: int = 0
    readings_newer_kept: int = 0
    active_accounts_before: int = 0
    active_meters_before: int = 0
    # The account columns written: with the phone only from a file that has it.
    fields: Tuple[str, ...] = ACCOUNT_FIELDS

    @property
    def accounts(self) -> Counts:
        return Counts(
            len(self.new_accounts), len(self.changed_accounts), len(self.deactivate_accounts)
        )

    @property
    def meters(self) -> Counts:
        return Counts(len(self.new_meters), len(self.changed_meters), len(self.deactivate_meters))


def plan_import(session: Session, parsed: SubscriberFile, full: bool) -> ImportPlan:
    """Compares the file with the database; reads only."""
    accounts = {row.number: row for row in _load_accounts(session)}
    meters = {(row.account_id, row.serial): row for row in _load_meters(session)}
    plan = ImportPlan(
        active_accounts_before=sum(a.active for a in accounts.values()),
        active_meters_before=sum(m.active for m in meters.values()),
        fields=WITH_PHONE if parsed.has_phone else ACCOUNT_FIELDS,
    )

    for data in parsed.accounts.values():
        existing = accounts.get(data.number)
        if existing is None:
            plan.new_accounts.append(data)
        elif not existing.active or _account_fields(existing, plan.fields) != _account_fields(
            data, plan.fields
        ):
            plan.changed_accounts.append((existing.id, data))

    latest = _latest_readings(session)
    for data in parsed.meters.values():
        account = accounts.get(data.account_number)
        existing = meters.get((account.id, data.serial)) if account else None
        if existing is None:
            plan.new_meters.append(data)
            if data.reading is not None:
                plan.new_readings.append(data)
            continue
        decimals = max(existing.decimals, _needed_decimals(data))
        if data.display_digits is None:  # the file does not say: keep what we know
            data = data._replace(display_digits=existing.display_digits)
        if (
            not existing.active
            or existing.kind != data.kind
            or existing.unit != data.unit
            or decimals != existing.decimals
            or data.display_digits != existing.display_digits
        ):
            plan.changed_meters.append((existing.id, data, decimals))
        if data.reading is not None:
            _plan_reading(plan, data, latest.get(existing.id))

    if full:
        _plan_deactivation(plan, parsed, accounts, meters)
    return plan


def check_mass_deactivation(plan: ImportPlan) -> None:
    """Refuses a `--full` import that would switch off a large part of the
    subscribers or of their meters (a truncated file, or one whose meter
    columns came out empty)."""
    for count, before, what in (
        (len(plan.deactivate_accounts), plan.active_accounts_before, "рахунків"),
        (len(plan.deactivate_meters), plan.active_meters_before, "лічильників"),
    ):
        if count > MASS_MINIMUM and count > MASS_SHARE * before:
            raise StaffError(
                f"імпорт з --full вимкнув би {count} з {before} активних {what}. "
                "Схоже, файл неповний. Якщо це справді так, повторіть з "
                "--allow-mass-deactivation. Нічого не змінено."
            )


def apply_import(session: Session, plan: ImportPlan) -> None:
    """Writes the plan in the caller's transaction (never commits)."""
    insert_rows(
        session,
        Account.__table__,
        plan.new_accounts,
        "рахунки",
        lambda a: {"number": a.number, **_account_values(a, plan.fields), "active": True},
    )
    update_by_id(
        session,
        Account.__table__,
        [
            {"row_id": row_id, **_account_values(a, plan.fields), "active": True}
            for row_id, a in plan.changed_accounts
        ],
        "оновлення рахунків",
    )

    if plan.new_meters:
        account_ids = dict(session.connection().execute(select(Account.number, Account.id)).all())
        insert_rows(
            session,
            Meter.__table__,
            plan.new_meters,
            "лічильники",
            lambda m: {
                "account_id": account_ids[m.account_number],
                "serial": m.serial,
                "kind": m.kind,
                "unit": m.unit,
                "decimals": max(DEFAULT_DECIMALS[m.unit], _needed_decimals(m)),
                "location": "",
                "active": True,
                "display_digits": m.display_digits,
            },
        )
    update_by_id(
        session,
        Meter.__table__,
        [
            {
                "row_id": row_id,
                "kind": m.kind,
                "unit": m.unit,
                "decimals": decimals,
                "active": True,
                "display_digits": m.display_digits,
            }
            for row_id, m, decimals in plan.changed_meters
        ],
        "оновлення лічильників",
    )

    set_where_id_in(session, Reading.__table__, plan.superseded_readings, in_force=False)
    if plan.new_readings:
        meter_ids = {
            (number, serial): meter_id
            for meter_id, number, serial in session.connection()
            .execute(
                select(Meter.id, Account.number, Meter.serial).join(
                    Account, Meter.account_id == Account.id
                )
            )
            .all()
        }
        insert_rows(
            session,
            Reading.__table__,
            plan.new_readings,
            "показники",
            lambda m: {
                "meter_id": meter_ids[(m.account_number, m.serial)],
                "period": period_of(m.reading_date),
                "value": m.reading,
                "submitted_at": _billing_time(m.reading_date),
                "source": ReadingSource.billing,
                "channel": BILLING_CHANNEL,
                "sender_id": "",
                "in_force": True,
            },
        )

    set_where_id_in(session, Meter.__table__, plan.deactivate_meters, active=False)
    set_where_id_in(session, Account.__table__, plan.deactivate_accounts, active=False)


# --- planning details -----------------------------------------------------------


def _plan_reading(plan: ImportPlan, data: MeterData, latest: Optional[_Latest]) -> None:
    """Billing's last reading becomes the one in force unless a newer one is there."""
    period = period_of(data.reading_date)
    if latest is None or latest.period < period:
        plan.new_readings.append(data)
    elif latest.period > period or latest.submitted_at.date() > data.reading_date:
        plan.readings_newer_kept += 1
    elif latest.value == data.reading:
        plan.readings_unchanged += 1
    else:
        plan.superseded_readings.append(latest.id)
        plan.new_readings.append(data)


def _plan_deactivation(
    plan: ImportPlan,
    parsed: SubscriberFile,
    accounts: Dict[str, _Account],
    meters: Dict[Tuple[int, str], _Meter],
) -> None:
    # Rows that were rejected still name their account and meter: a typo in
    # one row must not switch a subscriber off.
    number_of = {a.id: a.number for a in accounts.values()}
    plan.deactivate_accounts = [
        a.id for a in accounts.values() if a.active and a.number not in parsed.mentioned_accounts
    ]
    plan.deactivate_meters = [
        m.id
        for (account_id, serial), m in meters.items()
        if m.active and (number_of[account_id], serial) not in parsed.mentioned_meters
    ]


def _needed_decimals(data: MeterData) -> int:
    """Decimals the billing reading actually uses (trailing zeros are padding)."""
    if data.reading is None:
        return 0
    exponent = data.reading.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _account_fields(row, fields: Tuple[str, ...]) -> Tuple[str, ...]:
    return tuple(getattr(row, name) for name in fields)


def _account_values(data: AccountData, fields: Tuple[str, ...]) -> Dict[str, str]:
    return {name: getattr(data, name) for name in fields}


def _billing_time(day: date) -> datetime:
    return datetime.combine(day, BILLING_READING_TIME, tzinfo=KYIV)


# --- loading ----------------------------------------------------------------------


def _load_accounts(session: Session) -> List[_Account]:
    # Core rows through the session's connection, fetched all at once: the
    # ORM's or a row-by-row cursor's handling would double these 300,000-row reads.
    rows = (
        session.connection()
        .execute(
            select(
                Account.id,
                Account.number,
                Account.owner_name,
                Account.street,
                Account.house,
                Account.apartment,
                Account.active,
                Account.phone,
            )
        )
        .all()
    )
    return [_Account(*row) for row in rows]


def _load_meters(session: Session) -> List[_Meter]:
    rows = (
        session.connection()
        .execute(
            select(
                Meter.id,
                Meter.account_id,
                Meter.serial,
                Meter.kind,
                Meter.unit,
                Meter.decimals,
                Meter.active,
                Meter.display_digits,
            )
        )
        .all()
    )
    return [_Meter(*row) for row in rows]


def _latest_readings(session: Session) -> Dict[int, _Latest]:
    """Each meter's reading in force of its newest period, in one query."""
    newest = (
        select(Reading.meter_id, func.max(Reading.period).label("period"))
        .where(Reading.in_force.is_(True))
        .group_by(Reading.meter_id)
        .subquery()
    )
    rows = (
        session.connection()
        .execute(
            select(
                Reading.id, Reading.meter_id, Reading.period, Reading.value, Reading.submitted_at
            )
            .join(
                newest,
                and_(Reading.meter_id == newest.c.meter_id, Reading.period == newest.c.period),
            )
            .where(Reading.in_force.is_(True))
        )
        .all()
    )
    return {row[1]: _Latest(*row) for row in rows}
