"""A save reads the meters and their readings once: the same few queries for an
account with one meter as for one with three, whatever the checks it runs."""

from __future__ import annotations

import re
from contextlib import contextmanager
from decimal import Decimal
from typing import Iterator, List

from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.readings.submission import meters_for_submission, save_submission
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from tests.support.db import in_session

SENDER = SenderKey("telegram", "queries-1")
ONE_METER, THREE_METERS = "0100002", "0100005"
READS_OF_READINGS = re.compile(r"^\s*SELECT\b.*\bFROM readings\b", re.IGNORECASE | re.DOTALL)


@contextmanager
def statements(engine: Engine) -> Iterator[List[str]]:
    """The SQL sent through `engine` inside the block."""
    sent: List[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _reads_of_readings(sent: List[str]) -> int:
    return sum(1 for statement in sent if READS_OF_READINGS.match(statement))


def _link_and_values(number: str, now) -> dict:
    def work(session):
        account = accounts_repo.find_account(session, number)
        accounts_repo.link_account(session, SENDER, account, now)
        meters = meters_for_submission(session, account.id, "2026-11")
        return {m.meter_id: m.previous_value + Decimal("1") for m in meters}

    return in_session(work)


def _save(engine, number: str, now, values: dict) -> int:
    seen = {meter_id: None for meter_id in values}
    with statements(engine) as sent:
        in_session(
            lambda s: save_submission(s, SENDER, number, values, "2026-11", now, seen_in_force=seen)
        )
    return _reads_of_readings(sent)


def test_a_save_reads_the_readings_the_same_few_times_for_one_meter_or_three(seeded, engine, now):
    one = _save(engine, ONE_METER, now, _link_and_values(ONE_METER, now))
    three = _save(engine, THREE_METERS, now, _link_and_values(THREE_METERS, now))
    # The previous readings and the ones in force for the month: one query each.
    assert one == three == 2


def test_a_correction_checks_who_came_first_without_reading_again(seeded, engine, now):
    values = _link_and_values(THREE_METERS, now)
    _save(engine, THREE_METERS, now, values)
    # The same person corrects from a second conversation that saw nothing in force.
    corrected = {meter_id: value + 1 for meter_id, value in values.items()}
    assert _save(engine, THREE_METERS, now, corrected) == 2


def test_loading_the_meters_takes_three_queries_whatever_their_number(seeded, engine):
    def load(number):
        def work(session):
            account = accounts_repo.find_account(session, number)
            with statements(engine) as sent:
                meters = meters_for_submission(session, account.id, "2026-11")
            return len(meters), len(sent)

        return in_session(work)

    assert load(ONE_METER) == (1, 3)
    assert load(THREE_METERS) == (3, 3)
