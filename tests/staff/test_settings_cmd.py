"""Month settings: the submission window, tariffs from CSV, service contacts."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from core.contacts import load_contacts
from core.db.models import Tariff, WindowOverride
from core.readings.window import window_for
from core.repository import settings as settings_repo
from core.settings import get_settings
from staff.common import EXIT_FAILED, EXIT_OK
from tests.support.db import in_session
from tests.support.staff import DATA


def window_on(moment: str):
    settings = get_settings()
    now = datetime.fromisoformat(moment)
    return in_session(
        lambda s: window_for(s, settings.window_first_day, settings.window_last_day, now)
    )


def test_last_day_of_a_month_can_move(engine, staff):
    assert not window_on("2026-11-30T09:00:00+02:00").is_open
    result = staff("settings", "window", "--period", "2026-11", "--last-day", "30")
    assert result.code == EXIT_OK and "з 1 по 30 число" in result.out
    assert window_on("2026-11-30T09:00:00+02:00").is_open
    assert not window_on("2026-12-30T09:00:00+02:00").is_open  # other months keep the default

    staff("settings", "window", "--period", "2026-11", "--first-day", "3")
    override = in_session(lambda s: s.get(WindowOverride, "2026-11"))
    assert (override.first_day, override.last_day) == (3, 30)

    assert staff("settings", "window", "--period", "2026-11", "--reset").code == EXIT_OK
    assert in_session(lambda s: s.get(WindowOverride, "2026-11")) is None


def test_impossible_windows_are_refused(engine, staff):
    assert (
        staff("settings", "window", "--period", "2027-02", "--last-day", "30").code == EXIT_FAILED
    )
    result = staff("settings", "window", "--period", "2026-11", "--first-day", "29")
    assert result.code == EXIT_FAILED and "пізніше за останній" in result.err
    assert staff("settings", "window", "--period", "2026-11").code == EXIT_FAILED
    assert in_session(lambda s: s.execute(select(WindowOverride)).all()) == []


def test_tariffs_are_imported_once_and_replaced_by_key(engine, staff, tmp_path):
    result = staff("settings", "tariffs", DATA / "tariffs.csv")
    assert result.code == EXIT_OK and "додано 3, оновлено 0, без змін 0" in result.out
    assert (
        "додано 0, оновлено 0, без змін 3" in staff("settings", "tariffs", DATA / "tariffs.csv").out
    )
    current = in_session(
        lambda s: {
            (t.service, t.price_uah) for t in settings_repo.current_tariffs(s, date(2026, 11, 20))
        }
    )
    assert current == {
        ("Постачання теплової енергії", Decimal("1654.41")),
        ("Постачання гарячої води", Decimal("98.45")),
    }
    later = in_session(
        lambda s: {t.price_uah for t in settings_repo.current_tariffs(s, date(2027, 1, 1))}
    )
    assert Decimal("1800") in later

    (tmp_path / "new-price.csv").write_bytes(
        "service,category,unit,price_uah,valid_from\r\n"
        'Постачання гарячої води,населення,м³,"99,10",01.10.2021\r\n'.encode("utf-8-sig")
    )
    result = staff("settings", "tariffs", tmp_path / "new-price.csv")
    assert "додано 0, оновлено 1" in result.out
    prices = in_session(lambda s: sorted(t.price_uah for t in s.execute(select(Tariff)).scalars()))
    assert prices == [Decimal("99.1"), Decimal("1654.41"), Decimal("1800")]


def test_a_bad_tariff_file_imports_nothing(engine, staff, tmp_path):
    (tmp_path / "bad.csv").write_text(
        "service;category;unit;price_uah;valid_from\n"
        "Тепло;населення;Гкал;1654,41;01.10.2021\n"
        "Вода;населення;м³;дорого;01.10.2021\n"
        "Вода;населення;м³;98,45;32.10.2021\n"
        "Тепло;населення;Гкал;1700;2021-10-01\n",
        encoding="utf-8",
    )
    result = staff("settings", "tariffs", tmp_path / "bad.csv")
    assert result.code == EXIT_FAILED
    assert "рядок 3: ціна «дорого» не є числом" in result.err
    assert "рядок 4: дата «32.10.2021»" in result.err
    assert "рядок 5: повторює рядок 2" in result.err
    assert in_session(lambda s: s.execute(select(Tariff)).all()) == []


def test_contacts_shown_by_the_assistant(engine, staff):
    result = staff(
        "settings", "contacts", "--phone", "(0532) 61-00-00", "--email", "abon@example.ua"
    )
    assert result.code == EXIT_OK and "(0532) 61-00-00" in result.out
    contacts = in_session(lambda s: load_contacts(s, get_settings()))
    assert (contacts.phone, contacts.email) == ("(0532) 61-00-00", "abon@example.ua")
    assert contacts.hours == get_settings().operator_hours  # not set: the environment's

    staff("settings", "contacts", "--reset", "phone")
    assert (
        in_session(lambda s: load_contacts(s, get_settings())).phone
        == get_settings().operator_phone
    )
    assert staff("settings", "contacts", "--email", "not-an-address").code == EXIT_FAILED
    assert staff("settings", "contacts").code == EXIT_FAILED


def test_show_lists_everything(engine, staff):
    staff("settings", "window", "--period", "2026-11", "--last-day", "30")
    staff("settings", "tariffs", DATA / "tariffs.csv")
    staff("settings", "contacts", "--hours", "пн–пт 8:00–16:00")
    result = staff("settings", "show")
    assert result.code == EXIT_OK
    out = result.out
    assert "типово: з 1 по 28 число" in out
    assert "період 2026-11, з 01.11 по 30.11 — відкрите" in out
    assert "2026-11: перший день типовий, останній 30" in out
    assert "години: пн–пт 8:00–16:00 (з бази)" in out and "(з середовища)" in out
    assert "1654,41" in out and "Заплановані тарифи" in out and "01.01.2027" in out
