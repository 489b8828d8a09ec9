"""Cases in the core: one open case per consumer, office hours, forget-me and retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.db.models import Case, CaseMessage
from core.handoff import cases
from core.handoff.figures import case_figures, duration_text
from core.handoff.hours import office_hours
from core.privacy import forget_sender, purge_expired
from core.senders import SenderKey
from core.settings import KYIV
from core.staff import cases as staff_cases
from tests.support.db import in_session

SENDER = SenderKey("viber", "viber:case-user==")


def kyiv(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(KYIV)


def test_office_hours_say_when_a_clerk_answers(monkeypatch):
    hours = office_hours()
    friday_noon, friday_evening = (
        kyiv("2026-11-20T12:00:00+02:00"),
        kyiv("2026-11-20T18:30:00+02:00"),
    )
    assert hours.is_open(friday_noon) and hours.next_opening(friday_noon) == friday_noon
    assert not hours.is_open(friday_evening)
    assert hours.next_opening(friday_evening) == kyiv("2026-11-23T08:00:00+02:00")  # Monday
    monkeypatch.setenv("CASE_HOURS", "1-6 09:00-13:00")
    assert office_hours().next_opening(friday_evening) == kyiv("2026-11-21T09:00:00+02:00")


def test_one_open_case_per_consumer_and_the_figures(engine):
    opened = kyiv("2026-11-20T10:00:00+02:00")

    def work(session):
        first, new = cases.open_case(session, SENDER, "complaint", [("consumer", "hi")], opened)
        again, new_again = cases.open_case(session, SENDER, "asked", [], opened)
        staff_cases.reply(session, "clerk1", opened + timedelta(minutes=12), first.id, "Так")
        staff_cases.close(session, "clerk1", opened + timedelta(hours=2), first.id, "готово")
        return new, new_again, first.id == again.id

    assert in_session(work) == (True, False, True)
    figures = in_session(lambda s: case_figures(s, opened.date(), opened.date()))
    assert (figures.opened, figures.closed) == (1, 1)
    assert figures.per_day == [(opened.date(), 1)]
    assert duration_text(figures.first_reply) == "12 хв"
    assert duration_text(figures.to_close) == "2 год 0 хв"


def test_forget_me_and_retention_delete_cases(engine):
    old = kyiv("2026-01-10T10:00:00+02:00")
    other = SenderKey("telegram", "telegram:42")

    def work(session):
        case, _ = cases.open_case(session, SENDER, "asked", [("consumer", "моя адреса …")], old)
        cases.consumer_left(session, case, old)
        cases.open_case(session, other, "asked", [("consumer", "hi")], old)

    in_session(work)
    now = kyiv("2026-11-20T10:00:00+02:00")
    assert in_session(lambda s: purge_expired(s, now, 180)).cases == 1  # the closed one
    assert in_session(lambda s: forget_sender(s, other, now)).cases == 1
    assert in_session(lambda s: s.execute(select(func.count()).select_from(Case)).scalar()) == 0
    assert (
        in_session(lambda s: s.execute(select(func.count()).select_from(CaseMessage)).scalar()) == 0
    )
