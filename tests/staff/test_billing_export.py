"""Export round trip: billing file in, readings through the assistant's actions, file out."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from actions.readings import SaveReadings
from core.billing.export import COLUMNS
from core.db.models import Meter
from core.readings.submission import save_submission
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from core.settings import get_settings
from staff.cli import main
from staff.common import EXIT_OK, EXIT_USAGE
from tests.support.clock import set_clock
from tests.support.conversation import run, tracker
from tests.support.db import in_session
from tests.support.staff import DATA

TELEGRAM = SenderKey("telegram", "user-1")  # the sender `tracker()` builds
VIBER = SenderKey("viber", "v-77")


def link(sender, *numbers):
    now = get_settings().now()
    in_session(
        lambda s: [
            accounts_repo.link_account(s, sender, accounts_repo.find_account(s, n), now)
            for n in numbers
        ]
    )


def meter_ids(number):
    return in_session(
        lambda s: {
            m.serial: m.id
            for m in accounts_repo.active_meters(s, accounts_repo.find_account(s, number).id)
        }
    )


async def save_through_the_action(number, values_by_serial):
    """What the reading form leaves in the slots, then the assistant's Save."""
    ids = meter_ids(number)
    entries = {str(ids[serial]): value for serial, value in values_by_serial.items()}
    slots = {"reading_account": number, "reading_entries": entries, "reading_save": True}
    _, texts, _ = await run(SaveReadings(), tracker("зберегти", intent="affirm", slots=slots))
    assert "збережено" in texts[0] or "оновлено" in texts[0], texts


def save_directly(sender, number, values_by_serial):
    ids = meter_ids(number)
    values = {ids[serial]: Decimal(value) for serial, value in values_by_serial.items()}
    now = get_settings().now()
    in_session(lambda s: save_submission(s, sender, number, values, "2026-11", now))


def parse_export(data: bytes, encoding: str):
    text = data.decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert tuple(rows[0]) == COLUMNS
    return [dict(zip(COLUMNS, row)) for row in rows[1:]]


@pytest.fixture
async def submitted(engine, monkeypatch):
    """The cp1251 billing file imported, then readings submitted on two channels."""
    assert main(["billing", "import", str(DATA / "billing_cp1251.csv")]) == EXIT_OK
    link(TELEGRAM, "0200001")
    link(VIBER, "0200004")
    await save_through_the_action("0200001", {"H-1001": "12.845", "W-1002": "103.2"})
    set_clock(monkeypatch, "2026-11-21T18:30:00+02:00")
    save_directly(VIBER, "0200004", {"K-4001": "1300"})
    set_clock(monkeypatch, "2026-11-22T08:05:00+02:00")
    save_directly(VIBER, "0200004", {"K-4001": "1310"})  # a correction: exported once, latest value


EXPECTED = [
    {
        "account_number": "0200001",
        "meter_serial": "H-1001",
        "meter_kind": "heat",
        "unit": "Gcal",
        "period": "2026-11",
        "reading": "12,845",
        "previous_reading": "12,345",
        "consumption": "0,500",
        "submitted_at": "2026-11-20T10:00:00+02:00",
        "channel": "telegram",
    },
    {
        "account_number": "0200001",
        "meter_serial": "W-1002",
        "meter_kind": "hot_water",
        "unit": "m3",
        "period": "2026-11",
        "reading": "103,200",
        "previous_reading": "101,500",
        "consumption": "1,700",
        "submitted_at": "2026-11-20T10:00:00+02:00",
        "channel": "telegram",
    },
    {
        "account_number": "0200004",
        "meter_serial": "K-4001",
        "meter_kind": "heat",
        "unit": "kWh",
        "period": "2026-11",
        "reading": "1310",
        "previous_reading": "1234",
        "consumption": "76",
        "submitted_at": "2026-11-22T08:05:00+02:00",
        "channel": "viber",
    },
]


async def test_round_trip_to_a_utf8_bom_file(submitted, staff, tmp_path):
    target = tmp_path / "readings-2026-11.csv"
    result = staff("billing", "export", "--period", "2026-11", "--output", target)
    assert result.code == EXIT_OK and "Вивантажено показників за 2026-11: 3" in result.err
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert parse_export(data, "utf-8-sig") == EXPECTED


async def test_round_trip_values_equal_what_was_submitted(submitted, staff, tmp_path):
    staff("billing", "export", "--period", "2026-11", "-o", tmp_path / "out.csv")
    rows = parse_export((tmp_path / "out.csv").read_bytes(), "utf-8-sig")
    exported = {row["meter_serial"]: Decimal(row["reading"].replace(",", ".")) for row in rows}
    stored = in_session(
        lambda s: {
            m.serial: readings_repo.reading_in_force(s, m.id, "2026-11").value
            for m in s.execute(select(Meter)).scalars()
            if readings_repo.reading_in_force(s, m.id, "2026-11") is not None
        }
    )
    assert exported == stored
    for row in rows:
        reading, previous, used = (
            Decimal(row[k].replace(",", "."))
            for k in ("reading", "previous_reading", "consumption")
        )
        assert reading - previous == used


async def test_cp1251_export_for_older_billing(submitted, staff, tmp_path):
    staff(
        "billing",
        "export",
        "--period",
        "2026-11",
        "--encoding",
        "cp1251",
        "-o",
        tmp_path / "old.csv",
    )
    data = (tmp_path / "old.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert parse_export(data, "cp1251") == EXPECTED


async def test_export_to_stdout(submitted, capsysbinary):
    capsysbinary.readouterr()
    assert main(["billing", "export", "--period", "2026-11"]) == EXIT_OK
    assert parse_export(capsysbinary.readouterr().out, "utf-8-sig") == EXPECTED


async def test_billing_readings_and_other_periods_are_not_exported(submitted, staff, tmp_path):
    staff("billing", "export", "--period", "2026-10", "-o", tmp_path / "oct.csv")
    assert parse_export((tmp_path / "oct.csv").read_bytes(), "utf-8-sig") == []


async def test_first_reading_of_a_meter_has_no_previous(engine, staff, tmp_path):
    (tmp_path / "new.csv").write_text(
        "account_number;owner_name;street;house;apartment;meter_serial;meter_kind;unit;"
        "last_reading;last_reading_date\n0600001;Нова;вул. Сінна;1;1;X-1;hot_water;m3;;\n",
        encoding="utf-8",
    )
    staff("billing", "import", tmp_path / "new.csv")
    link(TELEGRAM, "0600001")
    await save_through_the_action("0600001", {"X-1": "5.5"})
    staff("billing", "export", "--period", "2026-11", "-o", tmp_path / "out.csv")
    [row] = parse_export((tmp_path / "out.csv").read_bytes(), "utf-8-sig")
    assert (row["reading"], row["previous_reading"], row["consumption"]) == ("5,500", "", "")


def test_bad_period_is_a_usage_error(staff):
    result = staff("billing", "export", "--period", "2026-13")
    assert result.code == EXIT_USAGE and "РРРР-ММ" in result.err
