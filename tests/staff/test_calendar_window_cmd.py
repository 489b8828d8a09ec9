"""`teplo settings window` with a default window to the month's end: February's
first day can be moved without naming a last day February does not have."""

from __future__ import annotations

from datetime import datetime

from core.db.models import WindowOverride
from core.readings.window import window_for
from core.settings import KYIV, get_settings
from staff.common import EXIT_FAILED, EXIT_OK
from tests.support.db import in_session


def test_moving_februarys_first_day_under_a_window_to_the_31st(engine, staff, monkeypatch):
    monkeypatch.setenv("READINGS_WINDOW_LAST_DAY", "31")
    get_settings.cache_clear()
    result = staff("settings", "window", "--period", "2027-02", "--first-day", "3")
    assert result.code == EXIT_OK, result.err
    assert "з 3 по 28 число включно" in result.out
    override = in_session(lambda s: s.get(WindowOverride, "2027-02"))
    assert (override.first_day, override.last_day) == (3, None)
    window = in_session(lambda s: window_for(s, 1, 31, datetime(2027, 2, 2, tzinfo=KYIV)))
    assert not window.is_open and window.next_opening.isoformat() == "2027-02-03"
    # A last day February lacks is still refused, with the month's real length.
    refused = staff("settings", "window", "--period", "2027-02", "--last-day", "29")
    assert refused.code == EXIT_FAILED and "поза місяцем 2027-02 (1–28)" in refused.err
