"""«Місяць» without a period is this month by Kyiv's calendar: just after
midnight on 1 December (still 30 November in UTC) it is December, and on the
last evening of the year it is still December."""

from __future__ import annotations

import pytest

from tests.support.clock import set_clock


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the date is the point
@pytest.mark.parametrize(
    "moment, shown",
    [
        ("2026-11-30T22:30:00+00:00", "Місяць: грудень 2026"),  # 00:30 on 1 December in Kyiv
        ("2026-11-30T21:59:59+00:00", "Місяць: листопад 2026"),  # 23:59:59 on 30 November
        ("2026-12-31T23:59:59+02:00", "Місяць: грудень 2026"),
        ("2027-01-01T00:00:00+02:00", "Місяць: січень 2027"),
        ("2028-02-29T23:30:00+02:00", "Місяць: лютий 2028"),
    ],
)
def test_this_month_is_kyivs(login, monkeypatch, moment, shown):
    set_clock(monkeypatch, moment)  # before signing in: a session outlives no 8 hours
    client = login("olena")
    page = client.get("/month")
    assert page.status_code == 200 and shown in page.text
