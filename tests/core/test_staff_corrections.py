"""A clerk's correction is checked by the chat's rules (issue 21): what a consumer
could not submit, a clerk cannot store either, and is told why in the same words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db.models import AuditEntry, Reading
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.staff.readings import annul_reading, correct_reading
from tests.support.db import in_session


@pytest.fixture
def submitted(seeded, now) -> int:
    """This month's reading of a meter of 0100004, 1,5 above the last one; its id."""

    def work(session):
        account = accounts_repo.find_account(session, "0100004")
        meter = accounts_repo.active_meters(session, account.id)[0]
        previous = readings_repo.last_reading(session, meter.id)
        return readings_repo.store_reading(
            session,
            meter.id,
            f"{now:%Y-%m}",
            previous.value + Decimal("1.5"),
            now,
            "telegram",
            "telegram:1",
        ).id

    return in_session(work)


def correct(now, reading_id: int, value: str):
    return in_session(
        lambda s: correct_reading(s, "olena", now, reading_id, value, "абонент помилився")
    )


def in_force(reading_id: int) -> Decimal:
    def read(session):
        first = session.get(Reading, reading_id)
        return readings_repo.reading_in_force(session, first.meter_id, first.period).value

    return in_session(read)


def test_a_value_the_chat_refuses_is_refused_with_its_reason(submitted, now):
    before = in_force(submitted)
    for typed, words in (
        ("сорок два кілограми", "не схоже на показник"),
        ("-5", "не може бути від'ємним"),
        ("12345678901", "забагато цифр"),
        ("1,123456", "знаки після коми"),
        ("0", "менше за попередній показник"),
    ):
        result = correct(now, submitted, typed)
        assert not result.ok and words in result.message.lower(), (typed, result.message)
    assert in_force(submitted) == before
    assert in_session(lambda s: s.execute(select(AuditEntry)).all()) == []


def test_a_correction_as_typed_in_the_chat_is_stored_and_audited(submitted, now):
    result = correct(now, submitted, str(in_force(submitted) + 1).replace(".", ",") + " Гкал")
    assert result.ok and result.message.startswith("Показник виправлено")
    entry = in_session(lambda s: s.execute(select(AuditEntry)).scalar_one())
    assert (entry.username, entry.action, entry.reason) == (
        "olena",
        "correct_reading",
        "абонент помилився",
    )
    assert entry.target.startswith("рахунок 0100004, лічильник №")


def test_a_huge_consumption_is_stored_with_a_warning(submitted, now):
    result = correct(now, submitted, str(in_force(submitted) + 100000))
    assert result.ok and "незвично велике" in result.message


def test_annulling_twice_is_refused_the_second_time(submitted, now):
    first = in_session(lambda s: annul_reading(s, "olena", now, submitted, "тест"))
    again = in_session(lambda s: annul_reading(s, "olena", now, submitted, "тест"))
    assert first.ok and not again.ok and "уже не чинний" in again.message
    assert correct(now, submitted, "1").message.startswith("Цей показник уже замінено")
