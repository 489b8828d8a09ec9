"""`stats`: the month at a glance, from readings and conversation events."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from core.db.models import EventKind, Meter, ReadingSource
from core.readings import checks
from core.reporting.month import first_submissions, month_figures
from core.repository import events as events_repo
from core.repository import readings as readings_repo
from core.settings import KYIV
from staff.common import EXIT_OK
from tests.support.db import in_session
from tests.support.staff import DATA


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=KYIV)


def store(serial: str, value: str, moment: datetime, channel: str) -> None:
    source = ReadingSource.billing if channel == "billing" else ReadingSource.assistant

    def work(session):
        meter = session.execute(select(Meter).where(Meter.serial == serial)).scalar_one()
        readings_repo.store_reading(
            session, meter.id, "2026-11", Decimal(value), moment, channel, "someone", source=source
        )

    in_session(work)


def event(kind: str, reason: str, channel: str, moment: datetime) -> None:
    in_session(lambda s: events_repo.record_event(s, EventKind(kind), reason, channel, moment))


def month_with_activity(staff) -> None:
    """Four accounts from the billing file (one without meters), a busy November."""
    staff("billing", "import", DATA / "billing_cp1251.csv")
    store("H-1001", "12.9", at(2), "telegram")
    store("W-1002", "102", at(2), "telegram")
    store("K-4001", "1300", at(3), "viber")
    store(
        "K-4001", "1301", at(5), "viber"
    )  # a correction: one reading in force, first day stays 3rd
    # 0200002 gets only a billing reading: not the assistant's.
    store("W-2001", "46", at(4), "billing")
    event("reading_rejected", checks.Rejection.NOT_A_NUMBER, "telegram", at(2))
    event("reading_rejected", checks.Rejection.NOT_A_NUMBER, "viber", at(3))
    event("reading_rejected", checks.Rejection.LOWER_THAN_PREVIOUS, "telegram", at(3))
    event("reading_rejected", checks.Rejection.OUTSIDE_WINDOW, "telegram", at(29))
    event(
        "reading_rejected", checks.Rejection.IMPLAUSIBLE, "viber", at(1, hour=0)
    )  # first minute of the month
    event(
        "reading_rejected", checks.Rejection.NOT_A_NUMBER, "telegram", at(31, hour=23, month=10)
    )  # October
    event("fallback", "", "telegram", at(2))
    event("fallback", "", "viber", at(7))


def test_month_figures(engine, staff, session):
    month_with_activity(staff)
    stats = month_figures(session, "2026-11")
    assert (stats.accounts_submitted, stats.active_accounts, stats.accounts_due) == (
        2,
        4,
        3,
    )
    assert (stats.meters_submitted, stats.active_meters) == (3, 4)
    assert {day: dict(counts) for day, counts in stats.per_day.items()} == {
        date(2026, 11, 2): {"telegram": 2},
        date(2026, 11, 5): {"viber": 1},
    }
    assert dict(first_submissions(session, "2026-11")) == {
        date(2026, 11, 2): 1,
        date(2026, 11, 3): 1,
    }
    assert dict(stats.rejections) == {
        checks.Rejection.NOT_A_NUMBER: 2,
        checks.Rejection.LOWER_THAN_PREVIOUS: 1,
        checks.Rejection.OUTSIDE_WINDOW: 1,
        checks.Rejection.IMPLAUSIBLE: 1,
    }
    assert dict(stats.fallbacks) == {"telegram": 1, "viber": 1}


def test_table_and_chart(engine, staff, tmp_path):
    month_with_activity(staff)
    result = staff("stats", "--period", "2026-11", "--plot", tmp_path / "month.png")
    assert result.code == EXIT_OK
    out = result.out
    assert "Статистика за листопад 2026 (2026-11)" in out
    assert "Рахунки з показниками: 2 з 4 активних (50,0%)" in out
    lines = out.splitlines()
    assert any(line.split() == ["02.11.2026", "2", "0", "2"] for line in lines)
    assert any(line.split() == ["разом", "2", "1", "3"] for line in lines)
    assert any(line.split()[:2] == ["не", "число"] and line.split()[-1] == "2" for line in lines)
    assert any(
        line.split()[:3] == ["поза", "вікном", "прийому"] and line.split()[-1] == "1"
        for line in lines
    )
    assert "Нерозпізнані повідомлення (fallback): 2 (telegram 1, viber 1)" in out
    png = (tmp_path / "month.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_empty_month(engine, staff, tmp_path):
    result = staff("stats", "--period", "2027-01", "--plot", tmp_path / "empty.png")
    assert result.code == EXIT_OK
    assert "показників ще немає" in result.out and "(—)" in result.out
    assert (tmp_path / "empty.png").exists()
