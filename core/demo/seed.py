"""Clearly-marked demo data for `make run`, tests and benchmarks (never production).

Run `python -m core.demo.seed` to create the tables and, if the database has
no accounts yet, the demo subscribers.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import List, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.engine import get_engine, unit_of_work
from core.db.models import (
    Account,
    Meter,
    MeterKind,
    Reading,
    ReadingSource,
    Tariff,
)
from core.db.schema import upgrade_to_head
from core.settings import get_settings

# Real Poltava streets; every person and number below is made up.
POLTAVA_STREETS = (
    "вул. Соборності",
    "вул. Європейська",
    "вул. Шевченка",
    "вул. Гоголя",
    "вул. Котляревського",
    "вул. Небесної Сотні",
    "вул. Стрітенська",
    "вул. Пилипа Орлика",
    "вул. Зінківська",
    "вул. Сінна",
    "вул. Григорія Сковороди",
    "вул. Полтавського полку",
)

# (kind, unit, decimals, location) per meter; the cycle mixes every case the
# assistant must handle, including an account with no meter at all.
METER_SETS: Sequence[Sequence[Tuple[MeterKind, str, int, str]]] = (
    ((MeterKind.heat, "Gcal", 3, ""),),
    ((MeterKind.hot_water, "m3", 3, ""),),
    ((MeterKind.hot_water, "m3", 3, "кухня"), (MeterKind.hot_water, "m3", 3, "ванна")),
    ((MeterKind.heat, "Gcal", 3, ""), (MeterKind.hot_water, "m3", 3, "")),
    (
        (MeterKind.heat, "MWh", 3, ""),
        (MeterKind.hot_water, "m3", 3, "кухня"),
        (MeterKind.hot_water, "m3", 3, "ванна"),
    ),
    (),
    ((MeterKind.heat, "kWh", 0, ""),),
)
# Typical monthly use in a meter's unit, for plausible demo history.
MONTHLY_USE = {
    "Gcal": Decimal("0.8"),
    "MWh": Decimal("0.9"),
    "kWh": Decimal("900"),
    "m3": Decimal("3"),
}

DEMO_ACCOUNTS = 36
DEMO_FIRST_NUMBER = 100001  # demo accounts are 0100001 ... 0100036
HISTORY_MONTHS = 6


def previous_periods(today: date, months: int) -> List[str]:
    """The `months` periods before today's, oldest first."""
    periods, year, month = [], today.year, today.month
    for _ in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        periods.append(f"{year:04d}-{month:02d}")
    return list(reversed(periods))


def _period_end(period: str) -> date:
    year, month = map(int, period.split("-"))
    first_next = date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return first_next - timedelta(days=3)


def add_subscribers(
    session: Session,
    count: int,
    first_number: int,
    now: datetime,
    owner_prefix: str = "Демо-абонент",
    history_months: int = HISTORY_MONTHS,
    seed: int = 2026,
) -> int:
    """Adds `count` synthetic accounts with meters and billing history; returns meters added."""
    rng = random.Random(seed + first_number)
    # Serials come from their own stream (the readings' stay as they were) and owe
    # nothing to the account number: their last digits prove ownership.
    serials = random.Random(f"serials-{seed}-{first_number}")
    periods = previous_periods(now.date(), history_months)
    meters_added = 0
    for index in range(count):
        number = f"{first_number + index:07d}"
        account = Account(
            number=number,
            owner_name=f"{owner_prefix} {index + 1:02d}",
            street=POLTAVA_STREETS[index % len(POLTAVA_STREETS)],
            house=str(1 + (index * 7) % 60),
            apartment=str(1 + (index * 13) % 120),
            active=True,
        )
        session.add(account)
        session.flush()
        for kind, unit, decimals, location in METER_SETS[index % len(METER_SETS)]:
            meter = Meter(
                account_id=account.id,
                serial=str(serials.randint(10_000_000, 99_999_999)),
                kind=kind,
                unit=unit,
                decimals=decimals,
                location=location,
                active=True,
            )
            session.add(meter)
            session.flush()
            meters_added += 1
            value = Decimal(rng.randint(100, 5000)) * MONTHLY_USE[unit] / Decimal(10)
            quantum = Decimal(1).scaleb(-decimals)
            for period in periods:
                value += MONTHLY_USE[unit] * Decimal(rng.randint(60, 140)) / Decimal(100)
                end = _period_end(period)
                session.add(
                    Reading(
                        meter_id=meter.id,
                        period=period,
                        value=value.quantize(quantum),
                        submitted_at=datetime(
                            end.year, end.month, end.day, 12, 0, tzinfo=now.tzinfo
                        ),
                        source=ReadingSource.billing,
                        channel="billing",
                        in_force=True,
                    )
                )
    session.flush()
    return meters_added


def add_demo_tariffs(session: Session) -> None:
    note = "демо-значення, не офіційний тариф"
    session.add_all(
        [
            Tariff(
                service="Постачання теплової енергії",
                category="населення",
                unit="Гкал",
                price_uah=Decimal("1654.41"),
                valid_from=date(2021, 10, 1),
                note=note,
            ),
            Tariff(
                service="Постачання гарячої води",
                category="населення",
                unit="м³",
                price_uah=Decimal("98.45"),
                valid_from=date(2021, 10, 1),
                note=note,
            ),
        ]
    )
    session.flush()


def seed_demo(session: Session, now: datetime) -> bool:
    """Adds the demo subscribers and tariffs to an empty database; returns whether it did."""
    if session.execute(select(func.count(Account.id))).scalar_one() > 0:
        return False
    add_subscribers(session, DEMO_ACCOUNTS, DEMO_FIRST_NUMBER, now)
    add_demo_tariffs(session)
    return True


def main() -> None:
    upgrade_to_head(get_engine())
    now = get_settings().now()
    with unit_of_work() as session:
        seeded = seed_demo(session, now)
    print("demo data added" if seeded else "database already has subscribers; left as it is")


if __name__ == "__main__":
    main()
