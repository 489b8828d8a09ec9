"""Reminders and quiet hours on the days that test a calendar rule: three days
before the close and the last day in February (leap and common), at the turn
of a month and a year, on Kyiv's daylight-saving nights, with quiet hours
across midnight."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.db.models import WindowOverride
from core.outbox.config import load_outbox_config
from core.outbox.quiet import in_quiet_hours, not_before_quiet_end
from core.outbox.reminders import plan_reminders, reminders_reply
from core.settings import KYIV
from tests.support.db import in_session
from tests.support.outbox import add_account, link, outbox, user

ANNA = user("telegram", 201)
NIGHT = (time(21, 0), time(9, 0))  # the default quiet hours, across midnight
UTC = timezone.utc

# The calendar is the point here, not the backend (tests/core/outbox has both);
# the daylight-saving nights run on both, as stored times are where they differ.
SQLITE = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@pytest.fixture
def anna_owes(engine) -> None:
    """Anna's account has two meters and no reading for any month yet."""
    in_session(
        lambda s: link(s, ANNA, add_account(s, "0300001"), datetime(2026, 1, 5, tzinfo=KYIV))
    )


def kyiv(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(KYIV)


def planned(moment: str):
    """Plans at `moment`; returns the slot's name and the reminders' (UTC send time, text)."""
    result = in_session(lambda s: plan_reminders(s, kyiv(moment)))
    rows = [(row.next_attempt_at.astimezone(UTC), row.text) for row in in_session(outbox)]
    return (result.slot.name if result.slot else None), rows


@SQLITE
@pytest.mark.parametrize(
    "last_day, leap_days, common_days",
    [
        # The default window ends on the 28th in both years.
        (28, ("2028-02-25", "2028-02-28"), ("2027-02-25", "2027-02-28")),
        # A window to the month's end: the 29th in a leap year, the 28th otherwise.
        (31, ("2028-02-26", "2028-02-29"), ("2027-02-25", "2027-02-28")),
    ],
)
def test_february_reminders_come_three_days_before_and_on_the_last_day(
    anna_owes, monkeypatch, last_day, leap_days, common_days
):
    monkeypatch.setenv("READINGS_WINDOW_LAST_DAY", str(last_day))
    from core.settings import get_settings

    get_settings.cache_clear()
    for before, last in (leap_days, common_days):
        day_before = datetime.fromisoformat(before).date() - timedelta(days=1)
        assert planned(f"{day_before}T08:00:00+02:00")[0] is None
        assert planned(f"{before}T08:00:00+02:00")[0] == "last-3d"
        assert planned(f"{last}T08:00:00+02:00")[0] == "last-day"
    texts = [row.text for row in in_session(outbox)]  # leap 3 days, leap last, common ...
    last_leap = "29 лютого" if last_day == 31 else "28 лютого"
    assert texts[0].startswith(f"Нагадуємо: показники за лютий 2028 приймаються до {last_leap}")
    assert texts[1].startswith(f"Сьогодні, {last_leap}, останній день")
    assert texts[3].startswith("Сьогодні, 28 лютого, останній день")


def test_the_last_day_on_the_spring_switch_comes_at_ten_summer_time(anna_owes):
    # 28 March 2027 is the default window's last day and the night the clocks go
    # forward; the timer runs in the missing hour's night, before 03:00 EET.
    slot, rows = planned("2027-03-28T02:30:00+02:00")
    assert slot == "last-day"
    # 10:00 EEST is 07:00 UTC (it would be 08:00 on a winter day).
    assert rows == [(datetime(2027, 3, 28, 7, 0, tzinfo=UTC), rows[0][1])]
    assert rows[0][1].startswith("Сьогодні, 28 березня, останній день")
    # Three days earlier it was still winter time: 10:00 EET is 08:00 UTC.
    _, rows = planned("2027-03-25T08:00:00+02:00")
    assert rows[-1][0] == datetime(2027, 3, 25, 8, 0, tzinfo=UTC)


def test_a_window_to_the_31st_in_october_reminds_on_the_doubled_night_day(anna_owes):
    # 31 October 2027: the clocks go back at 04:00 EEST; the hour 03:00-04:00 comes twice.
    in_session(lambda s: s.add(WindowOverride(period="2027-10", last_day=31)))
    for run in ("2027-10-31T03:30:00+03:00", "2027-10-31T03:30:00+02:00"):  # both 03:30s
        slot, rows = planned(run)
        assert slot == "last-day" and len(rows) == 1  # planning twice adds nothing
    assert rows[0][0] == datetime(2027, 10, 31, 8, 0, tzinfo=UTC)  # 10:00 EET again


@SQLITE
def test_a_moved_window_shorter_than_three_days_has_only_the_last_day(anna_owes):
    in_session(lambda s: s.add(WindowOverride(period="2026-12", first_day=27, last_day=28)))
    assert planned("2026-12-25T08:00:00+02:00")[0] is None
    assert planned("2026-12-28T08:00:00+02:00")[0] == "last-day"


@SQLITE
def test_a_last_day_reminder_is_not_sent_after_the_window_closed(anna_owes):
    # The timer ran late on the last day (a reboot: `Persistent=true` catches up)
    # and quiet hours would hold the reminder to the next morning, the 29th, when
    # «Сьогодні ... останній день» is false and nothing can be submitted.
    slot, rows = planned("2026-11-28T21:30:00+02:00")
    assert slot == "last-day" and rows == []
    # Three days before, the same lateness only moves it to the morning: still true then.
    slot, rows = planned("2026-11-25T22:00:00+02:00")
    assert slot == "last-3d"
    assert [at for at, _ in rows] == [datetime(2026, 11, 26, 7, 0, tzinfo=UTC)]


@SQLITE
@pytest.mark.parametrize(
    "moment, next_one",
    [
        # After November's last slot a user who still owes November hears of December's.
        ("2026-11-28T12:00:00+02:00", "25 грудня о 10:00"),
        ("2026-11-30T23:59:00+02:00", "25 грудня о 10:00"),
        # After December's, January's: across the year.
        ("2026-12-28T10:00:01+02:00", "25 січня о 10:00"),
        ("2026-12-31T23:59:59+02:00", "25 січня о 10:00"),
        # In January, before the first slot: that one.
        ("2027-01-01T00:00:00+02:00", "25 січня о 10:00"),
        # February of a leap year, default window: the 25th and the 28th.
        ("2028-02-25T10:00:01+02:00", "28 лютого о 10:00"),
        # In March 2027 the last-day reminder falls on the spring switch.
        ("2027-03-25T10:00:01+02:00", "28 березня о 10:00"),
    ],
)
def test_the_reply_to_remind_me_names_the_next_reminder(anna_owes, moment, next_one):
    reply = in_session(lambda s: reminders_reply(s, ANNA, True, kyiv(moment)))
    assert f"Наступне нагадування — {next_one}" in reply


# --- quiet hours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, sent_at",
    [
        ("2026-11-20T20:59:59+02:00", "2026-11-20T20:59:59+02:00"),  # not yet quiet
        ("2026-11-20T21:00:00+02:00", "2026-11-21T09:00:00+02:00"),
        ("2026-11-20T23:59:59+02:00", "2026-11-21T09:00:00+02:00"),
        ("2026-11-21T00:00:00+02:00", "2026-11-21T09:00:00+02:00"),
        ("2026-11-21T08:59:59+02:00", "2026-11-21T09:00:00+02:00"),
        ("2026-11-21T09:00:00+02:00", "2026-11-21T09:00:00+02:00"),  # quiet is over
        # Across a month's, a year's and a leap day's midnight.
        ("2026-11-30T22:00:00+02:00", "2026-12-01T09:00:00+02:00"),
        ("2026-12-31T23:30:00+02:00", "2027-01-01T09:00:00+02:00"),
        ("2028-02-28T23:30:00+02:00", "2028-02-29T09:00:00+02:00"),
        ("2027-02-28T23:30:00+02:00", "2027-03-01T09:00:00+02:00"),
        # The spring night is an hour short: 09:00 is summer time.
        ("2027-03-27T22:00:00+02:00", "2027-03-28T09:00:00+03:00"),
        ("2027-03-28T02:59:59+02:00", "2027-03-28T09:00:00+03:00"),
        ("2027-03-28T04:00:00+03:00", "2027-03-28T09:00:00+03:00"),
        # The autumn night: both 03:30s wait for 09:00 winter time.
        ("2027-10-31T03:30:00+03:00", "2027-10-31T09:00:00+02:00"),
        ("2027-10-31T03:30:00+02:00", "2027-10-31T09:00:00+02:00"),
        # A moment in UTC is judged by Kyiv's clock: 19:30 UTC is 21:30 in Kyiv.
        ("2026-11-20T19:30:00+00:00", "2026-11-21T09:00:00+02:00"),
    ],
)
def test_quiet_hours_across_midnight(moment, sent_at):
    result = not_before_quiet_end(datetime.fromisoformat(moment), *NIGHT)
    assert result == datetime.fromisoformat(sent_at)
    assert result.astimezone(KYIV).isoformat() == sent_at  # the offset Kyiv has then


def test_quiet_hours_within_one_day_and_none():
    lunch = (time(13, 0), time(14, 0))
    assert in_quiet_hours(kyiv("2026-11-20T13:30:00+02:00"), *lunch)
    assert not in_quiet_hours(kyiv("2026-11-20T14:00:00+02:00"), *lunch)
    assert not in_quiet_hours(kyiv("2026-11-20T03:00:00+02:00"), time(0, 0), time(0, 0))


# Ends between 03:00 and 04:00 are left out: on the spring night that wall time
# does not exist, and the end falls half an hour late (docs/calendar.md).
quiet_ends = st.times().filter(lambda t: t.hour != 3).map(lambda t: t.replace(microsecond=0))


@given(
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31, 23, 59, 59)
    ).map(lambda naive: naive.replace(tzinfo=UTC)),
    start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    end=quiet_ends,
)
def test_quiet_hours_properties(moment, start, end):
    result = not_before_quiet_end(moment, start, end)
    # Never earlier, never inside quiet hours, at most a day and an hour later.
    assert result >= moment and not in_quiet_hours(result, start, end)
    assert result - moment <= timedelta(hours=25)
    if in_quiet_hours(moment, start, end):
        # The end of quiet hours on the Kyiv clock, and quiet right up to it.
        assert result.astimezone(KYIV).time() == end
        assert in_quiet_hours(result - timedelta(seconds=1), start, end)
    else:
        assert result == moment


def test_the_configured_quiet_hours_are_the_documented_ones():
    config = load_outbox_config()
    assert (config.quiet_start, config.quiet_end) == NIGHT
    assert (config.reminder_days_before, config.reminder_time) == ((3, 0), time(10, 0))
