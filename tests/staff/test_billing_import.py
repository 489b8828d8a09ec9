"""Importing the billing export: real files, every bad row, idempotency, --full."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.billing import importer as billing_import
from core.billing.csvfiles import read_csv
from core.billing.subscriber_file import parse_subscribers
from core.db.models import Account, Meter, Reading, ReadingSource
from core.repository import readings as readings_repo
from core.settings import KYIV
from staff.common import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL
from tests.support.db import in_session
from tests.support.staff import DATA, meters_by_serial, readings_of, snapshot

TODAY = date(2026, 11, 20)
HEADER = "account_number;owner_name;street;house;apartment;meter_serial;meter_kind;unit;last_reading;last_reading_date"


def write(path, *rows, encoding="utf-8"):
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding))
    return path


def accounts():
    return in_session(
        lambda s: {
            a.number: (a.owner_name, a.street, a.house, a.apartment, a.active)
            for a in s.execute(select(Account)).scalars()
        }
    )


def test_windows_1251_export_with_semicolons_and_decimal_commas(engine, staff):
    result = staff("billing", "import", DATA / "billing_cp1251.csv")
    assert result.code == EXIT_OK, result.out
    assert "кодування cp1251" in result.out and "крапка з комою" in result.out
    assert "рахунки:    додано 4" in result.out and "лічильники: додано 4" in result.out
    assert accounts() == {
        "0200001": ("Шевченко Тарас Григорович", "вул. Соборності", "12", "5", True),
        "0200002": ("Ґудзь Євгенія Іванівна", "вул. Пилипа Орлика", "3а", "", True),
        "0200003": ("Дем’яненко Олег", "вул. Європейська", "7", "14", True),
        "0200004": ("Їжакевич Ірина", "вул. Сінна", "1", "1", True),
    }
    assert meters_by_serial() == {
        "H-1001": ("0200001", "heat", "Gcal", 3, True),
        "W-1002": ("0200001", "hot_water", "m3", 3, True),
        "W-2001": ("0200002", "hot_water", "m3", 3, True),
        "K-4001": ("0200004", "heat", "kWh", 0, True),
    }
    assert readings_of("H-1001") == [("2026-10", Decimal("12.345"), "billing", True)]
    assert readings_of("W-2001") == [("2026-10", Decimal("45"), "billing", True)]
    assert readings_of("K-4001") == [("2026-10", Decimal("1234"), "billing", True)]
    stored = in_session(
        lambda s: s.execute(
            select(Reading).join(Meter).where(Meter.serial == "H-1001")
        ).scalar_one()
    )
    assert isinstance(stored.value, Decimal)
    assert stored.submitted_at == datetime(2026, 10, 31, 12, 0, tzinfo=KYIV)


def test_utf8_bom_export_with_commas_and_iso_dates(engine, staff):
    result = staff("billing", "import", DATA / "billing_utf8_bom.csv")
    assert result.code == EXIT_OK, result.out
    assert "кодування utf-8-sig" in result.out and "роздільник — кома" in result.out
    assert accounts() == {
        "0300001": ("Коваленко Марія", "вул. Гоголя", "5", "10", True),
        "0300002": ("Бойко Петро", "вул. Шевченка, корпус 2", "9", "", True),
    }
    assert readings_of("M-1") == [("2026-10", Decimal("7.125"), "billing", True)]
    assert readings_of("M-2") == [("2026-10", Decimal("88.5"), "billing", True)]


def test_each_kind_of_bad_row_is_named_with_its_line():
    parsed = parse_subscribers(read_csv(DATA / "billing_bad_rows.csv"), TODAY)
    assert [(r.line, r.code) for r in parsed.rejected] == [
        (3, "no_account_number"),
        (4, "unknown_kind"),
        (5, "unknown_unit"),
        (6, "bad_reading"),
        (7, "bad_date"),
        (8, "conflicting_duplicate"),
        (9, "conflicting_duplicate"),
        (10, "wrong_columns"),
        (11, "bad_account_number"),
    ]
    # Identical repeated rows (12, 13) are not a conflict: imported once.
    assert sorted(parsed.accounts) == ["0400001", "0400010"]
    assert sorted(parsed.meters) == [("0400001", "G-1"), ("0400010", "G-10")]


@pytest.mark.parametrize(
    "row, code",
    [
        ("0500001;А;вул. Сінна;1;1;S-1;heat;m3;1;31.10.2026", "unknown_unit"),  # water unit on heat
        ("0500001;А;вул. Сінна;1;1;S-1;heat;Gcal;-5;31.10.2026", "bad_reading"),
        ("0500001;А;вул. Сінна;1;1;S-1;heat;Gcal;1,23456;31.10.2026", "bad_reading"),
        ("0500001;А;вул. Сінна;1;1;S-1;heat;Gcal;5;", "bad_date"),
        ("0500001;А;вул. Сінна;1;1;S-1;heat;Gcal;;31.10.2026", "bad_reading"),
        ("0500001;А;вул. Сінна;1;1;S-1;heat;Gcal;5;01.12.2026", "bad_date"),  # in the future
        ("0500001;А;вул. Сінна;1;1;S-1;heat;Gcal;5;2026/10/31", "bad_date"),
        ("0500001;А;вул. Сінна;1;1;;heat;Gcal;5;31.10.2026", "no_meter_serial"),
        ("0500001;А;вул. Сінна;1;1;" + "S" * 41 + ";heat;Gcal;5;31.10.2026", "too_long"),
        ("0500001;А;;1;1;S-1;heat;Gcal;5;31.10.2026", "no_address"),
        ("0500001;Андрієнко Андрій", "no_address"),  # a line cut short
    ],
)
def test_more_bad_rows(tmp_path, row, code):
    parsed = parse_subscribers(read_csv(write(tmp_path / "f.csv", row)), TODAY)
    assert [(r.line, r.code) for r in parsed.rejected] == [(2, code)]


def test_conflicting_account_data_rejects_all_its_rows(tmp_path):
    path = write(
        tmp_path / "f.csv",
        "0500001;Іваненко;вул. Сінна;1;1;S-1;heat;Gcal;5;31.10.2026",
        "0500001;Іваненко;вул. Сінна;1;2;S-2;hot_water;m3;5;31.10.2026",
    )
    parsed = parse_subscribers(read_csv(path), TODAY)
    assert [r.code for r in parsed.rejected] == ["conflicting_duplicate"] * 2
    assert "2, 3" in parsed.rejected[0].reason
    assert parsed.accounts == {}


def test_bad_rows_are_listed_and_good_rows_imported(engine, staff, tmp_path):
    result = staff(
        "billing", "import", DATA / "billing_bad_rows.csv", "--rejects", tmp_path / "rejects.csv"
    )
    assert result.code == EXIT_PARTIAL
    assert "Відхилено рядків: 9" in result.out
    assert "рядок 6 (рахунок 0400005): показник «десять» не є числом [bad_reading]" in result.out
    assert "рядок 3: немає номера особового рахунку [no_account_number]" in result.out
    assert sorted(accounts()) == ["0400001", "0400010"]
    saved = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert saved[0] == "line;account_number;code;reason" and len(saved) == 10


def test_strict_imports_nothing_when_a_row_is_bad(engine, staff):
    result = staff("billing", "import", DATA / "billing_bad_rows.csv", "--strict")
    assert result.code == EXIT_FAILED
    assert "Нічого не імпортовано" in result.out
    assert accounts() == {}


def test_strict_imports_a_clean_file(engine, staff):
    assert staff("billing", "import", DATA / "billing_cp1251.csv", "--strict").code == EXIT_OK
    assert len(accounts()) == 4


def test_reimporting_the_same_file_changes_nothing(engine, staff):
    staff("billing", "import", DATA / "billing_cp1251.csv")
    before = snapshot()
    result = staff("billing", "import", DATA / "billing_cp1251.csv")
    assert result.code == EXIT_OK
    assert "рахунки:    додано 0, оновлено 0, деактивовано 0" in result.out
    assert "лічильники: додано 0, оновлено 0, деактивовано 0" in result.out
    assert "показники:  додано 0, без змін 4" in result.out
    assert snapshot() == before


def test_same_data_in_another_encoding_and_format_changes_nothing(engine, staff, tmp_path):
    staff("billing", "import", DATA / "billing_cp1251.csv")
    before = snapshot()
    text = (DATA / "billing_cp1251.csv").read_bytes().decode("cp1251")
    # Same content as UTF-8 with ISO dates and decimal points.
    text = text.replace("31.10.2026", "2026-10-31").replace("30.10.2026", "2026-10-30")
    text = text.replace("12,345", "12.345").replace("45,000", "45")
    (tmp_path / "same.csv").write_bytes(text.encode("utf-8"))
    assert staff("billing", "import", tmp_path / "same.csv").code == EXIT_OK
    assert snapshot() == before


def test_changes_are_applied_and_counted(engine, staff, tmp_path):
    staff("billing", "import", DATA / "billing_cp1251.csv")
    write(
        tmp_path / "next.csv",
        "0200001;Шевченко Тарас Григорович;вул. Соборності;12;5;H-1001;heat;Gcal;13,045;19.11.2026",
        "0200001;Шевченко Тарас Григорович;вул. Соборності;12;5;W-1002;hot_water;m3;101,5;31.10.2026",
        "0200002;Ґудзь Євгенія Іванівна;вул. Пилипа Орлика;3а;2;W-2001;hot_water;m3;45,000;30.10.2026",
        "0200005;Нова Абонентка;вул. Сінна;4;4;N-5001;heat;MWh;2,5;31.10.2026",
        encoding="cp1251",
    )
    result = staff("billing", "import", tmp_path / "next.csv")
    assert result.code == EXIT_OK
    assert (
        "рахунки:    додано 1, оновлено 1, деактивовано 0" in result.out
    )  # 0200002 got apartment 2
    assert "лічильники: додано 1, оновлено 0, деактивовано 0" in result.out
    assert "показники:  додано 2, без змін 2" in result.out
    assert accounts()["0200002"][3] == "2"
    assert readings_of("H-1001") == [
        ("2026-10", Decimal("12.345"), "billing", True),
        ("2026-11", Decimal("13.045"), "billing", True),
    ]
    # Without --full nothing disappears.
    assert all(active for *_, active in accounts().values())


def test_billing_correction_of_the_same_period_supersedes_and_keeps_history(
    engine, staff, tmp_path
):
    staff("billing", "import", DATA / "billing_cp1251.csv")
    write(
        tmp_path / "fix.csv",
        "0200002;Ґудзь Євгенія Іванівна;вул. Пилипа Орлика;3а;;W-2001;hot_water;m3;46,25;31.10.2026",
    )
    staff("billing", "import", tmp_path / "fix.csv")
    assert readings_of("W-2001") == [
        ("2026-10", Decimal("45"), "billing", False),
        ("2026-10", Decimal("46.25"), "billing", True),
    ]
    meters = meters_by_serial()
    assert meters["W-2001"][3] == 3  # decimals stay


def test_a_newer_reading_already_there_is_kept(engine, staff, tmp_path, now):
    staff("billing", "import", DATA / "billing_cp1251.csv")

    def submit(session):
        meter = session.execute(select(Meter).where(Meter.serial == "W-2001")).scalar_one()
        readings_repo.store_reading(
            session, meter.id, "2026-11", Decimal("47"), now, "telegram", "u1"
        )

    in_session(submit)
    # An older billing file: its October value differs, but November is newer.
    write(
        tmp_path / "old.csv",
        "0200002;Ґудзь Євгенія Іванівна;вул. Пилипа Орлика;3а;;W-2001;hot_water;m3;44;30.10.2026",
    )
    result = staff("billing", "import", tmp_path / "old.csv")
    assert "залишено новіші 1" in result.out
    assert readings_of("W-2001")[-1] == ("2026-11", Decimal("47"), "assistant", True)
    # The same period, an assistant reading submitted after billing's date: kept too.
    write(
        tmp_path / "same-period.csv",
        "0200002;Ґудзь Євгенія Іванівна;вул. Пилипа Орлика;3а;;W-2001;hot_water;m3;46;10.11.2026",
    )
    staff("billing", "import", tmp_path / "same-period.csv")
    assert [r for r in readings_of("W-2001") if r[3]] == [
        ("2026-10", Decimal("45"), "billing", True),
        ("2026-11", Decimal("47"), "assistant", True),
    ]


def test_full_deactivates_what_is_missing_and_keeps_readings(engine, staff, tmp_path):
    staff("billing", "import", DATA / "billing_cp1251.csv")
    readings_before = in_session(lambda s: len(s.execute(select(Reading.id)).all()))
    write(
        tmp_path / "full.csv",
        # 0200001 lost its water meter; 0200002 is gone; 0200004's row is bad but names it.
        "0200001;Шевченко Тарас Григорович;вул. Соборності;12;5;H-1001;heat;Gcal;12,345;31.10.2026",
        "0200003;Дем’яненко Олег;вул. Європейська;7;14;;;;;",
        "0200004;Їжакевич Ірина;вул. Сінна;1;1;K-4001;heat;kWh;багато;31.10.2026",
        encoding="cp1251",
    )
    result = staff("billing", "import", tmp_path / "full.csv", "--full")
    assert result.code == EXIT_PARTIAL
    assert "рахунки:    додано 0, оновлено 0, деактивовано 1" in result.out
    assert "лічильники: додано 0, оновлено 0, деактивовано 2" in result.out
    active = {number: row[-1] for number, row in accounts().items()}
    assert active == {"0200001": True, "0200002": False, "0200003": True, "0200004": True}
    meters = {serial: row[-1] for serial, row in meters_by_serial().items()}
    assert meters == {"H-1001": True, "W-1002": False, "W-2001": False, "K-4001": True}
    assert in_session(lambda s: len(s.execute(select(Reading.id)).all())) == readings_before

    # Back in the next full file: active again, counted as updated.
    result = staff("billing", "import", DATA / "billing_cp1251.csv", "--full")
    assert "рахунки:    додано 0, оновлено 1, деактивовано 0" in result.out
    assert "лічильники: додано 0, оновлено 2, деактивовано 0" in result.out
    assert all(row[-1] for row in accounts().values())


def test_without_full_nothing_is_deactivated(engine, staff, tmp_path):
    staff("billing", "import", DATA / "billing_cp1251.csv")
    write(
        tmp_path / "part.csv",
        "0200003;Дем’яненко Олег;вул. Європейська;7;14;;;;;",
        encoding="cp1251",
    )
    staff("billing", "import", tmp_path / "part.csv")
    assert all(row[-1] for row in accounts().values())


def test_full_refuses_to_switch_off_most_subscribers(engine, staff, tmp_path, monkeypatch):
    staff("billing", "import", DATA / "billing_cp1251.csv")
    monkeypatch.setattr(billing_import, "MASS_MINIMUM", 1)
    before = snapshot()
    write(
        tmp_path / "short.csv",
        "0200003;Дем’яненко Олег;вул. Європейська;7;14;;;;;",
        encoding="cp1251",
    )
    result = staff("billing", "import", tmp_path / "short.csv", "--full")
    assert result.code == EXIT_FAILED and "--allow-mass-deactivation" in result.err
    assert snapshot() == before
    result = staff(
        "billing", "import", tmp_path / "short.csv", "--full", "--allow-mass-deactivation"
    )
    assert result.code == EXIT_OK and "деактивовано 3" in result.out


def test_dry_run_reports_and_writes_nothing(engine, staff):
    result = staff("billing", "import", DATA / "billing_cp1251.csv", "--dry-run")
    assert result.code == EXIT_OK and "рахунки:    додано 4" in result.out
    assert snapshot() == []


def test_unreadable_or_foreign_files_fail_cleanly(engine, staff, tmp_path):
    result = staff("billing", "import", tmp_path / "missing.csv")
    assert result.code == EXIT_FAILED and "не вдалося прочитати" in result.err
    (tmp_path / "other.csv").write_text("number;name\n1;a\n", encoding="utf-8")
    result = staff("billing", "import", tmp_path / "other.csv")
    assert result.code == EXIT_FAILED and "неочікуваний заголовок" in result.err
    (tmp_path / "empty.csv").write_bytes(b"")
    assert staff("billing", "import", tmp_path / "empty.csv").code == EXIT_FAILED


def test_billing_readings_do_not_count_as_the_assistants(engine, staff):
    staff("billing", "import", DATA / "billing_cp1251.csv")
    sources = in_session(lambda s: {r.source for r in s.execute(select(Reading)).scalars()})
    assert sources == {ReadingSource.billing}


def test_awkward_characters_survive_exactly(engine, staff, tmp_path):
    # Quotes, backslashes, braces, commas and "NULL" would break naive SQL or array building.
    name = 'ТОВ "Ромашка" {філія}, C:\\облік\\ NULL'
    (tmp_path / "odd.csv").write_bytes(
        (
            HEADER
            + '\r\n0700001;"'
            + name.replace('"', '""')
            + '";вул. Сінна;1;\\;"Q""1";heat;Gcal;1;31.10.2026\r\n'
        ).encode("utf-8")
    )
    assert staff("billing", "import", tmp_path / "odd.csv").code == EXIT_OK
    assert accounts()["0700001"] == (name, "вул. Сінна", "1", "\\", True)
    assert 'Q"1' in meters_by_serial()


def test_the_optional_dial_column_sets_and_keeps_the_display_digits(engine, staff, tmp_path):
    def digits():
        return in_session(
            lambda s: {m.serial: m.display_digits for m in s.execute(select(Meter)).scalars()}
        )

    path = tmp_path / "dial.csv"
    path.write_text(
        HEADER + ";display_digits\r\n"
        "0500001;А;вул. Сінна;1;1;W-1;hot_water;m3;99990;31.10.2026;5\r\n"
        "0500001;А;вул. Сінна;1;1;H-1;heat;Gcal;12,5;31.10.2026;\r\n",
        encoding="utf-8",
    )
    assert staff("billing", "import", path).code == EXIT_OK
    assert digits() == {"W-1": 5, "H-1": None}
    # A file without the column (or with an empty cell) keeps what billing said before.
    write(tmp_path / "plain.csv", "0500001;А;вул. Сінна;1;1;W-1;hot_water;m3;99990;31.10.2026")
    assert staff("billing", "import", tmp_path / "plain.csv").code == EXIT_OK
    assert digits()["W-1"] == 5


@pytest.mark.parametrize("cell", ["0", "11", "п'ять", "4"])  # "4": 99990 does not fit
def test_a_bad_dial_size_is_a_rejected_row(tmp_path, cell):
    path = tmp_path / "f.csv"
    path.write_text(
        HEADER
        + ";display_digits\n0500001;А;вул. Сінна;1;1;W-1;hot_water;m3;99990;31.10.2026;"
        + cell
        + "\n",
        encoding="utf-8",
    )
    parsed = parse_subscribers(read_csv(path), TODAY)
    assert [r.code for r in parsed.rejected] == ["bad_display_digits"]


# --- the subscriber's phone (issue 19: it proves the account in Telegram) ------------------

PHONE_HEADER = HEADER + ";display_digits;phone"


def phones():
    return in_session(lambda s: {a.number: a.phone for a in s.execute(select(Account)).scalars()})


def test_phones_in_any_ukrainian_notation_are_stored_as_plus_380(engine, staff, tmp_path):
    rows = [
        "0300001;Петренко;вул. Сінна;1;1;;;;;;;050 123-45-67",
        "0300002;Іваненко;вул. Сінна;1;2;;;;;;;+38 (067) 765 43 21",
        "0300003;Коваль;вул. Сінна;1;3;;;;;;;8 093 111 22 33",
        "0300004;Бондар;вул. Сінна;1;4;;;;;;;380661234567",
        "0300005;Ткач;вул. Сінна;1;5;;;;;;;",
        "0300006;Мельник;вул. Сінна;1;6;;;;;;;12345",
    ]
    path = tmp_path / "phones.csv"
    path.write_bytes(("\r\n".join([PHONE_HEADER, *rows]) + "\r\n").encode())
    result = staff("billing", "import", path)
    assert result.code == EXIT_PARTIAL, result.out
    assert phones() == {
        "0300001": "+380501234567",
        "0300002": "+380677654321",
        "0300003": "+380931112233",
        "0300004": "+380661234567",
        "0300005": None,
    }
    # The bad number is named by its row, never echoed (it is personal data).
    assert "bad_phone" in result.out or "не схожий на український" in result.out
    assert "12345" not in result.out

    # A file without the phone column leaves the phones alone.
    older = write(tmp_path / "old.csv", "0300001;Петренко;вул. Сінна;1;1;;;;;")
    assert staff("billing", "import", older).code == EXIT_OK
    assert phones()["0300001"] == "+380501234567"
