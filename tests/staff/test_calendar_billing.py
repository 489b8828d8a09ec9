"""Billing periods at the calendar's edges, through `teplo billing import` and
`export`: the period of a billing reading is the month of its date (the turn
of a month and a year, 29 February), dates that do not exist or have not come
are refused by the Kyiv date, a same-day assistant reading is judged by its
Kyiv day, and exported times carry the offset Kyiv had then."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Dict, List, Tuple

import pytest
from sqlalchemy import select

from core.db.models import Meter, Reading
from core.repository import readings as readings_repo
from core.settings import KYIV
from tests.support.clock import set_clock
from tests.support.db import in_session

HEADER = (
    "account_number;owner_name;street;house;apartment;meter_serial;meter_kind;unit;"
    "last_reading;last_reading_date"
)


def billing_file(tmp_path, rows: List[Tuple[str, str]], name: str = "billing.csv"):
    """One account, one hot-water meter per (serial, reading date)."""
    lines = [
        f"0700001;Бондар Ірина;вул. Європейська;7;1;{serial};hot_water;m3;10;{day}"
        for serial, day in rows
    ]
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8"))
    return path


def periods() -> Dict[str, List[Tuple[str, str, bool]]]:
    def work(session):
        found: Dict[str, List[Tuple[str, str, bool]]] = {}
        rows = session.execute(
            select(Meter.serial, Reading.period, Reading.source, Reading.in_force)
            .join(Meter, Reading.meter_id == Meter.id)
            .order_by(Reading.id)
        )
        for serial, period, source, in_force in rows:
            found.setdefault(serial, []).append((period, source.value, in_force))
        return found

    return in_session(work)


def test_a_billing_reading_belongs_to_the_month_of_its_date(engine, staff, tmp_path, monkeypatch):
    # 00:30 on 1 March 2028 in Kyiv, pinned in UTC: the Kyiv date decides what has come.
    set_clock(monkeypatch, "2028-02-29T22:30:00+00:00")
    path = billing_file(
        tmp_path,
        [
            ("S-1", "30.11.2026"),
            ("S-2", "01.12.2026"),
            ("S-3", "31.12.2026"),
            ("S-4", "2027-01-01"),
            ("S-5", "29.02.2028"),
            ("S-6", "01.03.2028"),  # today in Kyiv
            ("S-7", "29.02.2027"),  # no such day
            ("S-8", "02.03.2028"),  # tomorrow
        ],
    )
    result = staff("billing", "import", path)
    assert "29.02.2027» не розпізнана" in result.out
    assert "02.03.2028 ще не настала" in result.out
    assert periods() == {
        "S-1": [("2026-11", "billing", True)],
        "S-2": [("2026-12", "billing", True)],
        "S-3": [("2026-12", "billing", True)],
        "S-4": [("2027-01", "billing", True)],
        "S-5": [("2028-02", "billing", True)],
        "S-6": [("2028-03", "billing", True)],
    }


@pytest.mark.parametrize(
    "submitted, kept",
    [
        # 00:30 on 30 November in Kyiv (22:30 UTC on the 29th) is after billing's
        # 29 November: the assistant's reading is newer and stays.
        ("2026-11-29T22:30:00+00:00", "assistant"),
        # 23:30 on 29 November in Kyiv is billing's day: billing's value supersedes it.
        ("2026-11-29T23:30:00+02:00", "billing"),
    ],
)
def test_a_same_period_assistant_reading_is_judged_by_its_kyiv_day(
    engine, staff, tmp_path, monkeypatch, submitted, kept
):
    set_clock(monkeypatch, "2026-12-02T10:00:00+02:00")
    staff("billing", "import", billing_file(tmp_path, [("S-1", "01.11.2026")], "first.csv"))

    def submit(session):
        meter = session.execute(select(Meter).where(Meter.serial == "S-1")).scalar_one()
        moment = datetime.fromisoformat(submitted)
        readings_repo.store_reading(
            session, meter.id, "2026-11", Decimal("11"), moment, "telegram", "telegram:1"
        )

    in_session(submit)
    path = billing_file(tmp_path, [("S-1", "29.11.2026")], "later.csv")
    path.write_text(path.read_text("utf-8").replace(";10;29.11", ";12;29.11"), "utf-8")
    staff("billing", "import", path)
    in_force = [source for period, source, on in periods()["S-1"] if on]
    assert in_force == [kept]


def test_exported_times_carry_kyivs_offset_of_that_night(engine, staff, tmp_path, monkeypatch):
    set_clock(monkeypatch, "2027-11-02T10:00:00+02:00")
    staff(
        "billing", "import", billing_file(tmp_path, [("S-1", "01.10.2027"), ("S-2", "01.10.2027")])
    )
    moments = {
        "S-1": "2027-10-31T00:30:00+00:00",  # the first 03:30, summer time
        "S-2": "2027-10-31T01:30:00+00:00",  # the second 03:30, winter time
    }

    def submit(session):
        for serial, moment in moments.items():
            meter = session.execute(select(Meter).where(Meter.serial == serial)).scalar_one()
            readings_repo.store_reading(
                session,
                meter.id,
                "2027-10",
                Decimal("11"),
                datetime.fromisoformat(moment).astimezone(KYIV),
                "viber",
                "viber:1",
            )

    in_session(submit)
    out = tmp_path / "export.csv"
    staff("billing", "export", "--period", "2027-10", "--output", out, "--encoding", "utf-8")
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8")), delimiter=";"))
    assert {row["meter_serial"]: row["submitted_at"] for row in rows} == {
        "S-1": "2027-10-31T03:30:00+03:00",
        "S-2": "2027-10-31T03:30:00+02:00",
    }
