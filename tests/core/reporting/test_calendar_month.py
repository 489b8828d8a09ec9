"""A month in figures at its edges: the bounds of a period in Kyiv (short
February, the daylight-saving months, December into January), which day a
reading counts on and which month an event counts in, around midnight of the
month turn, on both backends (the console's figures and `teplo stats`)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.figures_cache import current_periods
from core.db.models import EventKind, period_of
from core.readings.checks import Rejection
from core.reporting.month import month_figures, period_days
from core.repository import events as events_repo
from core.repository import readings as readings_repo
from core.settings import KYIV, month_bounds
from tests.support.db import in_session
from tests.support.outbox import add_account

UTC = timezone.utc


def kyiv(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(KYIV)


@pytest.mark.parametrize(
    "period, start, end, hours",
    [
        ("2026-11", "2026-11-01T00:00:00+02:00", "2026-12-01T00:00:00+02:00", 30 * 24),
        ("2026-12", "2026-12-01T00:00:00+02:00", "2027-01-01T00:00:00+02:00", 31 * 24),
        ("2027-02", "2027-02-01T00:00:00+02:00", "2027-03-01T00:00:00+02:00", 28 * 24),
        ("2028-02", "2028-02-01T00:00:00+02:00", "2028-03-01T00:00:00+02:00", 29 * 24),
        # March loses the hour of the spring night, October has the doubled one.
        ("2027-03", "2027-03-01T00:00:00+02:00", "2027-04-01T00:00:00+03:00", 31 * 24 - 1),
        ("2027-10", "2027-10-01T00:00:00+03:00", "2027-11-01T00:00:00+02:00", 31 * 24 + 1),
    ],
)
def test_month_bounds_are_kyiv_midnights(period, start, end, hours):
    first, after = month_bounds(period)
    assert (first, after) == (datetime.fromisoformat(start), datetime.fromisoformat(end))
    assert after.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=hours)


periods = st.builds(
    lambda year, month: f"{year:04d}-{month:02d}", st.integers(2000, 2100), st.integers(1, 12)
)


@given(period=periods)
def test_period_properties(period):
    start, end = month_bounds(period)
    year, month = map(int, period.split("-"))
    # Both bounds are midnights on the 1st in Kyiv, whatever the offset then.
    for bound in (start, end):
        local = bound.astimezone(KYIV)
        assert local.day == 1 and local.time() == time(0, 0)
    # The periods tile time: this one ends where the next begins, and every
    # instant in between belongs to it.
    next_period = period_of(end.astimezone(KYIV).date())
    assert month_bounds(next_period)[0] == end
    assert period_of(start.astimezone(KYIV).date()) == period
    assert period_of((end.astimezone(UTC) - timedelta(microseconds=1)).astimezone(KYIV)) == period
    assert period_days(period) == (
        date(year, month, 1),
        date(year, month, calendar.monthrange(year, month)[1]),
    )
    # «This month» and the one before, as the console counts them first.
    this, previous = current_periods(date(year, month, 15))
    assert this == period and month_bounds(previous)[1] == start


def test_this_month_and_the_last_across_the_year():
    assert current_periods(date(2027, 1, 1)) == ["2027-01", "2026-12"]
    assert current_periods(date(2026, 12, 31)) == ["2026-12", "2026-11"]
    assert current_periods(date(2028, 3, 1)) == ["2028-03", "2028-02"]


# --- readings and events around the month turn ---------------------------------------

# (period, submitted at): the last minutes of November and the first of December
# (22:30 UTC on the 30th is already 1 December in Kyiv), and the spring night.
READINGS = [
    ("2026-11", "2026-11-30T23:30:00+02:00"),
    ("2026-12", "2026-11-30T22:30:00+00:00"),
    ("2027-03", "2027-03-28T03:59:00+03:00"),  # a wall time Kyiv skips: 02:59 EET
    ("2027-03", "2027-03-31T23:30:00+03:00"),
]
# Refusals at the last second of November and the first of December (Kyiv).
EVENTS = ["2026-11-30T23:59:59+02:00", "2026-11-30T22:00:00+00:00", "2026-12-31T23:59:59+02:00"]


@pytest.fixture
def month_turn(engine) -> None:
    def work(session) -> None:
        account = add_account(session, "0400001", kinds=("heat", "hot_water", "hot_water"))
        for meter, (period, at) in zip(account.meters + account.meters[:1], READINGS):
            readings_repo.store_reading(
                session, meter.id, period, Decimal("10"), kyiv(at), "telegram", "telegram:1"
            )
        for at in EVENTS:
            events_repo.record_event(
                session, EventKind.reading_rejected, Rejection.OUTSIDE_WINDOW, "viber", kyiv(at)
            )

    in_session(work)


def test_readings_count_on_their_kyiv_day_and_events_in_their_kyiv_month(month_turn):
    def per_day(period: str):
        figures = in_session(lambda s: month_figures(s, period))
        days = {day.isoformat(): dict(counts) for day, counts in figures.per_day.items()}
        return days, dict(figures.rejections)

    assert per_day("2026-11") == ({"2026-11-30": {"telegram": 1}}, {"outside_window": 1})
    assert per_day("2026-12") == ({"2026-12-01": {"telegram": 1}}, {"outside_window": 2})
    assert per_day("2027-03") == (
        {"2027-03-28": {"telegram": 1}, "2027-03-31": {"telegram": 1}},
        {},
    )
    assert per_day("2027-01") == ({}, {})
