"""The lookup limits count hours of real time on Kyiv's daylight-saving nights,
with the clock production runs on (no `ASSISTANT_NOW`: the machine's clock,
moved here with time-machine)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterator

import pytest
import time_machine

from core.accounts.lookup import lookup_account
from core.senders import SenderKey
from core.settings import LookupLimits, get_settings
from core.texts.common import format_time
from tests.support.db import in_session

LIMITS = LookupLimits(per_hour=3, per_day=10, per_channel_hour=20)
WALKER = SenderKey("telegram", "walker")
UTC = timezone.utc

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@pytest.fixture
def machine_clock(monkeypatch) -> Iterator[time_machine.Traveller]:
    """The business clock unpinned, on a machine clock the test moves."""
    monkeypatch.delenv("ASSISTANT_NOW")
    get_settings.cache_clear()
    with time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False) as traveller:
        yield traveller
    get_settings.cache_clear()


def look_at(clock: time_machine.Traveller, utc: str, number: str, sender: SenderKey = WALKER):
    """A lookup of an unknown number (it counts) at `utc`, by the production clock."""
    clock.move_to(datetime.fromisoformat(utc))
    now = get_settings().now()
    return in_session(lambda s: lookup_account(s, sender, number, now, LIMITS))


def test_the_hour_after_the_spring_switch_still_counts(engine, machine_clock):
    # 28 March 2027: at 03:00 EET the clocks go to 04:00 EEST (01:00 UTC).
    for minute, number in ((0, "0900001"), (5, "0900002"), (10, "0900003")):
        assert (
            look_at(machine_clock, f"2027-03-28T01:{minute:02d}:00+00:00", number).account is None
        )
    # 04:30 EEST: three lookups in the last half hour, the hourly limit is reached.
    refused = look_at(machine_clock, "2027-03-28T01:30:00+00:00", "0900004")
    assert refused.blocked_until == datetime(2027, 3, 28, 2, 0, tzinfo=UTC)
    assert format_time(refused.blocked_until) == "05:00"  # an hour after 04:00, in Kyiv


def test_the_channel_alert_counts_the_hour_after_the_spring_switch(engine, machine_clock, caplog):
    # Fresh ids, one lookup each, up to the channel's alert ceiling between 04:00
    # and 04:20 EEST. (An hour back by the wall clock was 03:30, a time that does
    # not exist, read as 04:30 itself: the count saw nothing for the whole hour.)
    for n in range(LIMITS.per_channel_hour):
        fresh = SenderKey("telegram", f"fresh-{n}")
        look_at(
            machine_clock, f"2027-03-28T01:{n // 5:02d}:{n % 5 * 10:02d}+00:00", "0900001", fresh
        )
    assert any("alert ceiling" in record.getMessage() for record in caplog.records)
    # The ceiling alerts staff and stops nobody: the next fresh id still looks up.
    late = look_at(
        machine_clock, "2027-03-28T01:30:00+00:00", "0900002", SenderKey("telegram", "x")
    )
    assert late.blocked_until is None


def test_the_doubled_autumn_hour_is_not_counted_twice(engine, machine_clock):
    # 31 October 2027: at 04:00 EEST the clocks go back to 03:00 EET (01:00 UTC).
    for minute, number in ((35, "0900001"), (40, "0900002"), (45, "0900003")):
        look_at(machine_clock, f"2027-10-30T23:{minute:02d}:00+00:00", number)  # 02:35 EEST ...
    # The second 03:30 (EET) is an hour and 45 minutes after 02:45 EEST: the
    # lookups are out of the hour. (By the wall clock an hour back was 02:30 EEST,
    # two hours of real time, and the walker was refused.)
    allowed = look_at(machine_clock, "2027-10-31T01:30:00+00:00", "0900004")
    assert allowed.blocked_until is None
