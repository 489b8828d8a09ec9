"""What the consumer is told and what is saved on the dates that test a rule,
through the real actions: 29 February and 28 February, the 30th and 31st with a
window to the month's end, a save that crosses midnight of the month turn, and
the time of a save on the daylight-saving night or with a clock pinned in UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Dict

import pytest
from sqlalchemy import select

from actions.info import AnswerDeadline
from actions.readings import PrepareSubmission, SaveReadings
from core.db.models import Reading
from core.readings.submission import meters_for_submission
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from core.settings import KYIV, get_settings
from tests.support.clock import set_clock
from tests.support.conversation import run, tracker
from tests.support.db import in_session
from tests.support.outbox import add_account, link

ME = SenderKey("telegram", "user-1")  # the tracker's default sender
pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def window_to_the_31st(monkeypatch) -> None:
    monkeypatch.setenv("READINGS_WINDOW_LAST_DAY", "31")
    get_settings.cache_clear()


@pytest.fixture
def my_account(engine) -> str:
    def work(session) -> str:
        account = add_account(session, "0600001")
        link(session, ME, account, datetime(2026, 1, 10, tzinfo=KYIV))
        return account.number

    return in_session(work)


def filled_form(number: str, period: str) -> Dict:
    """The reading form's slots with every meter entered, as loaded for `period`."""

    def work(session):
        account_id = accounts_repo.find_account(session, number).id
        return [m.to_slot() for m in meters_for_submission(session, account_id, period)]

    meters = in_session(work)
    return {
        "reading_account": number,
        "reading_meters": meters,
        "reading_entries": {str(m["meter_id"]): "12.5" for m in meters},
        "reading_skipped": [],
        "reading_save": True,
    }


async def deadline_text() -> str:
    _, texts, _ = await run(AnswerDeadline(), tracker("до якого числа?", intent="ask_deadline"))
    return texts[0]


async def submission_route() -> str:
    slots, _, _ = await run(PrepareSubmission(), tracker("показники", intent="submit_reading"))
    return slots["flow_route"]


@pytest.mark.parametrize(
    "moment, said",
    [
        (
            "2027-02-28T09:00:00+02:00",
            "за лютий 2027 приймаються до 28 лютого 2027 включно. Сьогодні останній день!",
        ),
        (
            "2028-02-28T09:00:00+02:00",
            "за лютий 2028 приймаються до 28 лютого 2028 включно. Сьогодні останній день!",
        ),
        (
            "2028-02-29T09:00:00+02:00",
            "за лютий 2028 завершився 28 лютого 2028. Наступний прийом почнеться 1 березня 2028.",
        ),
        (
            "2026-12-31T23:59:59+02:00",
            "за грудень 2026 завершився 28 грудня 2026. Наступний прийом почнеться 1 січня 2027.",
        ),
        (
            "2027-01-01T00:00:00+02:00",
            "за січень 2027 приймаються до 28 січня 2027 включно. Залишилося 27 днів.",
        ),
        (
            "2027-01-27T09:00:00+02:00",
            "за січень 2027 приймаються до 28 січня 2027 включно. Залишився 1 день.",
        ),
    ],
)
async def test_the_deadline_on_the_edges_of_the_default_window(
    my_account, monkeypatch, moment, said
):
    set_clock(monkeypatch, moment)
    assert said in await deadline_text()


async def test_a_window_to_the_31st_takes_readings_on_29_february_and_the_31st(
    my_account, monkeypatch
):
    window_to_the_31st(monkeypatch)
    for moment, last in (
        ("2028-02-29T23:59:00+02:00", "29 лютого 2028"),
        ("2027-02-28T23:59:00+02:00", "28 лютого 2027"),
        ("2026-11-30T23:59:00+02:00", "30 листопада 2026"),
        ("2026-12-31T23:59:00+02:00", "31 грудня 2026"),
    ):
        set_clock(monkeypatch, moment)
        window_to_the_31st(monkeypatch)
        assert f"до {last} включно. Сьогодні останній день!" in await deadline_text()
        assert await submission_route() == "ready"


async def test_a_save_after_midnight_on_the_last_day_saves_nothing(my_account, monkeypatch):
    set_clock(monkeypatch, "2026-11-28T23:59:30+02:00")
    state = filled_form(my_account, "2026-11")
    set_clock(monkeypatch, "2026-11-29T00:00:05+02:00")
    _, texts, _ = await run(SaveReadings(), tracker("зберегти", intent="affirm", slots=state))
    assert "завершився 28 листопада 2026" in texts[0] and "Нічого не збережено" in texts[0]
    assert in_session(lambda s: s.execute(select(Reading)).all()) == []


async def test_a_save_across_the_month_turn_is_the_new_months_and_says_so(my_account, monkeypatch):
    # With a window to the month's end the form was filled on 30 November and
    # «Зберегти» pressed after midnight: the readings are December's, taken on
    # 1 December, and the reply names the month they were saved for.
    window_to_the_31st(monkeypatch)
    set_clock(monkeypatch, "2026-11-30T23:59:40+02:00")
    window_to_the_31st(monkeypatch)
    state = filled_form(my_account, "2026-11")
    set_clock(monkeypatch, "2026-11-30T22:00:20+00:00")  # 00:00:20 on 1 December in Kyiv
    window_to_the_31st(monkeypatch)
    _, texts, _ = await run(SaveReadings(), tracker("зберегти", intent="affirm", slots=state))
    assert "Показники за грудень 2026 збережено 1 грудня 2026 о 00:00" in texts[0]
    periods = in_session(lambda s: s.execute(select(Reading.period)).scalars().all())
    assert periods == ["2026-12", "2026-12"]


@pytest.mark.parametrize(
    "moment, said",
    [
        # A clock pinned in UTC is shown in Kyiv time, on Kyiv's date.
        ("2026-11-20T08:00:00+00:00", "збережено 20 листопада 2026 о 10:00"),
        ("2026-11-19T22:30:00+00:00", "збережено 20 листопада 2026 о 00:30"),
        # The spring night: 01:30 UTC is 04:30 summer time (03:30 does not exist).
        ("2027-03-28T01:30:00+00:00", "збережено 28 березня 2027 о 04:30"),
        # The autumn night, in a window to the 31st: the second 03:30 is winter time.
        ("2027-10-31T01:30:00+00:00", "збережено 31 жовтня 2027 о 03:30"),
    ],
)
async def test_the_saved_time_is_kyivs(my_account, monkeypatch, moment, said):
    set_clock(monkeypatch, moment)
    window_to_the_31st(monkeypatch)
    period = get_settings().now().astimezone(KYIV).strftime("%Y-%m")
    _, texts, _ = await run(SaveReadings(), tracker(slots=filled_form(my_account, period)))
    assert said in texts[0]
