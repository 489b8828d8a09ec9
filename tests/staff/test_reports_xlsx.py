"""`teplo report …` and `teplo billing export --format xlsx`: the workbooks read
back with openpyxl as a clerk's Excel would show them."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.db.models import Account, AuditEntry
from core.repository import accounts as accounts_repo
from staff.common import EXIT_FAILED, EXIT_OK
from tests.support.console import add_month_activity
from tests.support.db import in_session


@pytest.fixture
def month(seeded, now):
    add_month_activity(now)  # 0100004 (Telegram) and 0100001 (Viber) submitted this month


def sheet_rows(path):
    sheet = load_workbook(path).active
    return sheet, [[cell for cell in row] for row in sheet.iter_rows(min_row=2)]


def meter_decimals():
    return in_session(
        lambda s: {
            m.serial: m.decimals
            for number in ("0100001", "0100004")
            for m in accounts_repo.active_meters(s, accounts_repo.find_account(s, number).id)
        }
    )


def test_readings_workbook_keeps_numbers_as_text_dates_as_dates(month, staff, tmp_path):
    out = tmp_path / "readings.xlsx"
    outcome = staff("billing", "export", "--period", "2026-11", "--format", "xlsx", "-o", out)
    assert outcome.code == EXIT_OK, outcome.err
    sheet, rows = sheet_rows(out)
    assert sheet.title == "Показники 2026-11"
    assert [c.value for c in sheet[1]][:2] == ["Особовий рахунок", "Лічильник"]
    assert sorted({row[0].value for row in rows}) == ["0100001", "0100004"]
    decimals = meter_decimals()
    for number, serial, *_, reading, previous, used, submitted, channel in rows:
        assert number.data_type == "s" and number.value.startswith("0")
        assert isinstance(reading.value, (int, float)) and isinstance(previous.value, (int, float))
        places = decimals[serial.value]
        assert reading.number_format == ("0" if places == 0 else "0." + "0" * places)
        assert Decimal(str(used.value)).quantize(Decimal("0.1")) == Decimal("1.5")
        assert isinstance(submitted.value, datetime) and submitted.value.date().month == 11
        assert submitted.value.hour == 9  # Kyiv wall time, as stored
        assert channel.value in ("telegram", "viber")


def test_missing_accounts_for_calls_and_letters(month, staff, tmp_path):
    in_session(
        lambda s: setattr(
            s.execute(select(Account).where(Account.number == "0100002")).scalar_one(),
            "owner_name",
            '=HYPERLINK("http://evil")',
        )
    )
    out = tmp_path / "missing.xlsx"
    outcome = staff("report", "missing", "--period", "2026-11", "-o", out)
    assert outcome.code == EXIT_OK, outcome.err
    assert "рядків" in outcome.err
    _, rows = sheet_rows(out)
    numbers = [row[0].value for row in rows]
    # Every active account with a meter, except the two that submitted; none without meters.
    assert "0100001" not in numbers and "0100004" not in numbers and "0100006" not in numbers
    assert numbers[0] == "0100002" and all(n.startswith("01") for n in numbers)
    evil = rows[0][1]
    assert evil.value == '=HYPERLINK("http://evil")' and evil.data_type == "s"
    last = rows[0][7].value
    assert isinstance(last, datetime) and last.date() < date(2026, 11, 1)
    entry = in_session(lambda s: s.execute(select(AuditEntry)).scalars().one())
    assert entry.action == "export" and entry.username.startswith("teplo:")
    assert '"report": "missing"' in entry.after and '"format": "xlsx"' in entry.after


def test_missing_accounts_as_csv_and_the_summary(month, staff, tmp_path):
    csv_out = tmp_path / "missing.csv"
    assert (
        staff("report", "missing", "--period", "2026-11", "--format", "csv", "-o", csv_out).code
        == 0
    )
    lines = csv_out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("account_number;owner_name") and lines[1].startswith("0100002;")
    out = tmp_path / "summary.xlsx"
    assert staff("report", "summary", "--period", "2026-11", "-o", out).code == EXIT_OK
    workbook = load_workbook(out)
    figures = {
        row[0]: row[1] for row in workbook["Підсумок"].iter_rows(min_row=2, values_only=True)
    }
    assert figures["Період"] == "2026-11" and figures["Рахунків з показниками"] == 2
    days = list(workbook["За днями"].iter_rows(min_row=1, values_only=True))
    assert days[0] == ("День", "telegram", "viber", "Усього")
    assert days[1][0].date() == date(2026, 11, 3) and days[1][-1] >= 1


def test_excel_is_not_written_to_the_terminal(month, staff):
    outcome = staff("report", "summary", "--output", "-")
    assert outcome.code == EXIT_FAILED and "--output" in outcome.err
