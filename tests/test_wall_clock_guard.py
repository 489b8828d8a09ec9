"""No test outcome depends on the day the tests run.

The guard runs the date-sensitive tests that start no server (the window, the
reading form, reminders and quiet hours, the month's figures, retention, the
lookup limits) in a pytest of their own, with the machine's clock moved in turn
to New Year's Eve, to the midnight after 29 February of a leap year and to
Kyiv's spring daylight-saving night, each a few seconds before the turn
(tests/support/wall_clock.py). The business clock stays pinned; anything that
read the real date, in a test or in the product, would see those days instead.
Run the same by hand: `TEST_WALL_CLOCK=<moment>[,<moment>...] pytest <tests>`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support import wall_clock

ROOT = Path(__file__).resolve().parents[1]
DATE_SENSITIVE = [
    "tests/core/readings",
    "tests/core/outbox",
    "tests/core/reporting",
    "tests/core/test_calendar_privacy.py",
    "tests/core/accounts/test_calendar_lookups.py",
    "tests/actions/test_reading_form.py",
    "tests/actions/test_info_actions.py",
    "tests/actions/test_calendar_actions.py",
    "tests/staff/test_calendar_billing.py",
    "tests/staff/test_outbox_cmds.py",
    "tests/staff/test_calendar_window_cmd.py",
    # The check below, that the clock really is moved in there.
    "tests/test_wall_clock_guard.py",
]
SELECT = "not postgresql and not properties"
MOVED = bool(wall_clock.requested_moments())


@pytest.mark.guard
@pytest.mark.skipif(MOVED, reason="inside the guard's own run")
def test_date_sensitive_tests_pass_with_the_machine_clock_moved():
    env = {**os.environ, wall_clock.ENV: ",".join(wall_clock.GUARD_MOMENTS)}
    run = subprocess.run(
        # SQLite only: a throw-away PostgreSQL is a server, and the calendar is the
        # same on both backends (the tests themselves run on both in the suite).
        # The property tests read no clock: once, in the suite, is enough.
        [sys.executable, "-m", "pytest", "-k", SELECT, "--maxfail=10", "-rfE"] + DATE_SENSITIVE,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-8000:]
    for moment in wall_clock.GUARD_MOMENTS:
        assert f"wall clock at {datetime.fromisoformat(moment).isoformat()}" in output
    passed = int(re.search(r"(\d+) passed", output).group(1))
    assert passed >= 3 * 100, output[-2000:]  # every round ran the whole selection


@pytest.mark.skipif(not MOVED, reason="runs in the guard's run, with the clock moved")
def test_the_machine_clock_is_moved():
    now = datetime.now(timezone.utc)
    assert any(
        moment <= now < moment + timedelta(minutes=15) for moment in wall_clock.requested_moments()
    ), now
