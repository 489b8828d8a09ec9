"""The submission window on the days that test a calendar rule: the 1st, the
28th, 29 February of a leap year and 28 February of a common one, the 30th and
31st, months staff moved, the turn of a month and a year, Kyiv's midnight in
UTC and on the nights the clocks change."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from typing import Dict, Optional, Tuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.db.models import WindowOverride
from core.readings.window import WindowStatus, window_for, window_problem, window_status
from core.settings import KYIV
from tests.support.db import in_session

Overrides = Dict[str, Tuple[Optional[int], Optional[int]]]


def status(moment: str, first: int = 1, last: int = 28, moved: Overrides = None) -> WindowStatus:
    return window_status(datetime.fromisoformat(moment), first, last, (moved or {}).get)


def summary(window: WindowStatus) -> str:
    """ "2026-11 open 01..28, 0 days left, next 2026-12-01"."""
    state = f"open {window.first:%d}..{window.last:%d}, {window.days_left} days left"
    if not window.is_open:
        state = f"closed {window.first:%d}..{window.last:%d}"
    return f"{window.period} {state}, next {window.next_opening}"


@pytest.mark.parametrize(
    "moment, expected",
    [
        # The 1st at midnight opens the month.
        ("2026-12-01T00:00:00+02:00", "2026-12 open 01..28, 27 days left, next 2027-01-01"),
        # The 28th is the last day to the last second ...
        ("2026-11-28T23:59:59+02:00", "2026-11 open 01..28, 0 days left, next 2026-12-01"),
        # ... and the 29th is closed, also 29 February of a leap year.
        ("2026-11-29T00:00:00+02:00", "2026-11 closed 01..28, next 2026-12-01"),
        ("2028-02-29T12:00:00+02:00", "2028-02 closed 01..28, next 2028-03-01"),
        # 28 February of a common year is its last day; 1 March opens March.
        ("2027-02-28T12:00:00+02:00", "2027-02 open 01..28, 0 days left, next 2027-03-01"),
        ("2027-03-01T00:00:00+02:00", "2027-03 open 01..28, 27 days left, next 2027-04-01"),
        # The 30th and 31st wait for the next month; the 31st of December for next year.
        ("2026-11-30T23:59:59+02:00", "2026-11 closed 01..28, next 2026-12-01"),
        ("2026-12-31T23:59:59+02:00", "2026-12 closed 01..28, next 2027-01-01"),
    ],
)
def test_default_window_from_the_1st_to_the_28th(moment, expected):
    assert summary(status(moment)) == expected


@pytest.mark.parametrize(
    "moment, last, days_left",
    [
        ("2028-02-29T23:59:59+02:00", "2028-02-29", 0),  # a leap February ends on the 29th
        ("2028-02-28T10:00:00+02:00", "2028-02-29", 1),
        ("2027-02-28T10:00:00+02:00", "2027-02-28", 0),  # a common one on the 28th
        ("2026-11-30T10:00:00+02:00", "2026-11-30", 0),
        ("2026-12-30T10:00:00+02:00", "2026-12-31", 1),
        ("2027-04-30T10:00:00+03:00", "2027-04-30", 0),
    ],
)
def test_a_window_to_the_31st_ends_with_each_months_last_day(moment, last, days_left):
    window = status(moment, last=31)
    assert window.is_open and (window.last.isoformat(), window.days_left) == (last, days_left)


def test_a_month_staff_moved_opens_and_closes_on_its_own_days():
    moved: Overrides = {"2026-11": (None, 30), "2026-12": (5, 20), "2027-01": (10, None)}
    # November runs to the 30th: open on the 29th and 30th, closed on 1 December.
    assert status("2026-11-29T09:00:00+02:00", moved=moved).days_left == 1
    assert status("2026-11-30T23:59:59+02:00", moved=moved).is_open
    december = status("2026-12-01T09:00:00+02:00", moved=moved)
    # December opens on the 5th: before it the window is closed and says when it opens.
    assert not december.is_open and december.next_opening == date(2026, 12, 5)
    assert status("2026-12-05T00:00:00+02:00", moved=moved).is_open
    assert status("2026-12-20T23:59:59+02:00", moved=moved).days_left == 0
    # After December's window, the next one is January's moved 10th, across the year.
    after = status("2026-12-21T00:00:00+02:00", moved=moved)
    assert not after.is_open and after.next_opening == date(2027, 1, 10)
    january = status("2027-01-10T08:00:00+02:00", moved=moved)
    assert january.is_open and january.last == date(2027, 1, 28)  # the default last day


def test_days_past_a_short_month_are_its_last_day():
    # A window to the 31st (a default or a month staff moved) in February.
    assert status("2027-02-28T10:00:00+02:00", moved={"2027-02": (None, 31)}).days_left == 0
    window = status("2028-02-10T10:00:00+02:00", first=30, last=31)
    assert (window.first, window.last) == (date(2028, 2, 29), date(2028, 2, 29))


@pytest.mark.parametrize(
    "utc, kyiv_day, is_open",
    [
        # Kyiv's midnight is 22:00 UTC in winter ...
        ("2026-11-28T21:59:59+00:00", "2026-11-28", True),
        ("2026-11-28T22:00:00+00:00", "2026-11-29", False),
        # ... and 21:00 UTC in summer time: 28 March 2027, the day the clocks
        # go forward, is the window's last day and has 23 hours.
        ("2027-03-28T00:59:59+00:00", "2027-03-28", True),  # 02:59:59 EET
        ("2027-03-28T01:00:00+00:00", "2027-03-28", True),  # 04:00 EEST
        ("2027-03-28T20:59:59+00:00", "2027-03-28", True),  # 23:59:59 EEST
        ("2027-03-28T21:00:00+00:00", "2027-03-29", False),
        # 28 October 2029 (clocks go back on the last Sunday): 25 hours, the last
        # of them still the 28th.
        ("2029-10-28T21:59:59+00:00", "2029-10-28", True),
        ("2029-10-28T22:00:00+00:00", "2029-10-29", False),
    ],
)
def test_the_day_is_kyivs_whatever_offset_the_moment_carries(utc, kyiv_day, is_open):
    window = status(utc)
    assert (window.today.isoformat(), window.is_open) == (kyiv_day, is_open)


def test_the_windows_staff_moved_come_from_the_database(engine):
    in_session(lambda s: s.add(WindowOverride(period="2028-02", first_day=3, last_day=29)))
    leap_day = datetime(2028, 2, 29, 23, 0, tzinfo=KYIV)
    window = in_session(lambda s: window_for(s, 1, 28, leap_day))
    assert window.is_open and window.days_left == 0
    window = in_session(lambda s: window_for(s, 1, 28, datetime(2028, 2, 2, 9, tzinfo=KYIV)))
    assert not window.is_open and window.next_opening == date(2028, 2, 3)


# --- properties -----------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31, 23, 59, 59)
).map(lambda naive: naive.replace(tzinfo=timezone.utc))
windows = st.tuples(st.integers(1, 31), st.integers(1, 31)).map(sorted)


@given(moment=moments, days=windows)
def test_window_properties(moment, days):
    first_day, last_day = days
    window = window_status(moment, first_day, last_day, lambda period: None)
    today = moment.astimezone(KYIV).date()
    month_days = calendar.monthrange(today.year, today.month)[1]
    assert window.today == today and window.period == f"{today:%Y-%m}"
    assert (window.first.day, window.last.day) == (
        min(first_day, month_days),
        min(last_day, month_days),
    )
    assert window.is_open == (window.first <= today <= window.last)
    if window.is_open:
        assert today + timedelta(days=window.days_left) == window.last
    # The next opening is ahead: this month's first day, or else the next month's.
    assert window.next_opening > today
    if today < window.first:
        assert window.next_opening == window.first
    else:
        ahead = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        ahead_days = calendar.monthrange(ahead.year, ahead.month)[1]
        assert window.next_opening == ahead.replace(day=min(first_day, ahead_days))


@pytest.mark.parametrize(
    "period, first, last, defaults, problem",
    [
        ("2027-02", None, 29, (1, 28), "останній день 29 поза місяцем 2027-02 (1–28)"),
        ("2028-02", None, 29, (1, 28), None),  # a leap February has the 29th
        ("2026-11", None, 31, (1, 28), "останній день 31 поза місяцем 2026-11 (1–30)"),
        ("2026-12", None, 31, (1, 28), None),
        ("2026-11", 29, None, (1, 28), "перший день (29) пізніше за останній (28)"),
        ("2026-11", 0, None, (1, 28), "перший день 0 поза місяцем 2026-11 (1–30)"),
        # A default to the 31st is each month's last day: February's first day
        # may be moved on its own (it was refused: «останній день 31 поза місяцем»).
        ("2027-02", 3, None, (1, 31), None),
        ("2027-02", 28, None, (1, 31), None),
        ("2026-04", None, 30, (5, 31), None),
    ],
)
def test_what_staff_may_move_a_window_to(period, first, last, defaults, problem):
    assert window_problem(period, first, last, *defaults) == problem
