"""The data layer on SQLite and PostgreSQL: constraints, exact values, time zones."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db.models import Account, Meter, MeterKind, Reading
from core.demo.seed import DEMO_ACCOUNTS, seed_demo
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.repository import settings as settings_repo
from core.senders import SenderKey


def _meter(session) -> Meter:
    account = Account(
        number="0012345", owner_name="Тест", street="вул. Сінна", house="1", apartment="2"
    )
    session.add(account)
    session.flush()
    meter = Meter(account_id=account.id, serial="A1", kind=MeterKind.heat, unit="Gcal", decimals=3)
    session.add(meter)
    session.flush()
    return meter


def test_reading_keeps_exact_decimal_and_kyiv_time(session, now):
    meter = _meter(session)
    readings_repo.store_reading(
        session, meter.id, "2026-11", Decimal("1234.567"), now, "telegram", "42"
    )
    session.commit()
    session.expunge_all()
    stored = session.execute(select(Reading)).scalar_one()
    assert stored.value == Decimal("1234.567") and isinstance(stored.value, Decimal)
    assert stored.submitted_at == now
    assert stored.submitted_at.tzinfo is not None
    assert stored.submitted_at.utcoffset() == timedelta(hours=2)  # Kyiv in November


def test_correction_supersedes_and_keeps_the_earlier_reading(session, now):
    meter = _meter(session)
    readings_repo.store_reading(session, meter.id, "2026-11", Decimal("10"), now, "telegram", "42")
    readings_repo.store_reading(session, meter.id, "2026-11", Decimal("11"), now, "telegram", "42")
    session.commit()
    rows = session.execute(select(Reading).order_by(Reading.id)).scalars().all()
    assert [(r.value, r.in_force) for r in rows] == [(Decimal("10"), False), (Decimal("11"), True)]
    assert readings_repo.reading_in_force(session, meter.id, "2026-11").value == Decimal("11")


def test_database_refuses_two_readings_in_force_for_one_period(session, now):
    meter = _meter(session)
    for value in ("10", "11"):
        session.add(
            Reading(
                meter_id=meter.id,
                period="2026-11",
                value=Decimal(value),
                submitted_at=now,
                in_force=True,
            )
        )
    with pytest.raises(IntegrityError):
        session.flush()


def test_naive_datetimes_are_refused(session):
    meter = _meter(session)
    session.add(
        Reading(
            meter_id=meter.id,
            period="2026-11",
            value=Decimal(1),
            submitted_at=datetime(2026, 11, 20, 10, 0),
        )
    )
    with pytest.raises(Exception, match="naive"):
        session.flush()


def test_links_are_per_channel_and_sender(session, now):
    meter = _meter(session)
    account = session.get(Account, meter.account_id)
    telegram, viber = SenderKey("telegram", "777"), SenderKey("viber", "777")
    assert accounts_repo.link_account(session, telegram, account, now) == accounts_repo.LINKED
    assert accounts_repo.link_account(session, telegram, account, now) == accounts_repo.HELD_BEFORE
    assert [a.number for a in accounts_repo.linked_accounts(session, telegram)] == ["0012345"]
    assert accounts_repo.linked_accounts(session, viber) == []
    assert accounts_repo.unlink_account(session, telegram, account.id) is True
    assert accounts_repo.linked_accounts(session, telegram) == []


def test_demo_seed_mixes_meter_sets_and_is_idempotent(session, now):
    assert seed_demo(session, now) is True
    assert seed_demo(session, now) is False
    accounts = session.execute(select(Account)).scalars().all()
    assert len(accounts) == DEMO_ACCOUNTS
    counts = {len(accounts_repo.active_meters(session, a.id)) for a in accounts}
    assert counts == {0, 1, 2, 3}
    meter = accounts_repo.active_meters(session, accounts[0].id)[0]
    history = readings_repo.readings_in_force(session, meter.id, 10)
    assert len(history) == 6 and history[0].period == "2026-10"
    assert history[0].value > history[-1].value


def test_current_tariffs_pick_the_latest_valid(session, now):
    from datetime import date

    from core.db.models import Tariff

    for valid_from, price in ((date(2021, 10, 1), "1654.41"), (date(2027, 1, 1), "1800")):
        session.add(
            Tariff(
                service="Тепло",
                category="населення",
                unit="Гкал",
                price_uah=Decimal(price),
                valid_from=valid_from,
            )
        )
    session.flush()
    [tariff] = settings_repo.current_tariffs(session, now.date())
    assert tariff.price_uah == Decimal("1654.41")
