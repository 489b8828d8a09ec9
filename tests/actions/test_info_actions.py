"""Answers around the flow: deadline, tariffs, contacts, reminders, fallback, cancel."""

from sqlalchemy import select

from actions.info import (
    AnswerDeadline,
    CancelForm,
    ExplainMeterProblem,
    Fallback,
    SetReminders,
    ShowContacts,
    ShowHelp,
    ShowTariffs,
)
from core.contacts import PHONE_KEY
from core.db.models import ConversationEvent, MessengerUser, WindowOverride
from core.repository import settings as settings_repo
from tests.support.clock import set_clock
from tests.support.conversation import button_titles, run, tracker
from tests.support.db import in_session


async def test_deadline_with_days_left(seeded):
    _, texts, _ = await run(AnswerDeadline(), tracker("до якого числа?", intent="ask_deadline"))
    assert texts == [
        "Показники за листопад 2026 приймаються до 28 листопада 2026 включно. Залишилося 8 днів."
    ]


async def test_deadline_on_the_last_day_and_after_it(seeded, monkeypatch):
    set_clock(monkeypatch, "2026-11-28T23:30:00+02:00")
    _, texts, _ = await run(AnswerDeadline(), tracker(intent="ask_deadline"))
    assert "Сьогодні останній день" in texts[0]
    set_clock(monkeypatch, "2026-11-28T23:30:00+00:00")  # already the 29th in Kyiv
    _, texts, _ = await run(AnswerDeadline(), tracker(intent="ask_deadline"))
    assert "завершився 28 листопада 2026" in texts[0] and "1 грудня 2026" in texts[0]


async def test_deadline_follows_the_month_override(seeded):
    in_session(lambda s: s.add(WindowOverride(period="2026-11", last_day=30)))
    _, texts, _ = await run(AnswerDeadline(), tracker(intent="ask_deadline"))
    assert "до 30 листопада 2026" in texts[0] and "10 днів" in texts[0]


async def test_help_tells_the_real_window_of_a_moved_month_and_the_days_left(seeded, monkeypatch):
    in_session(lambda s: s.add(WindowOverride(period="2026-12", first_day=3, last_day=22)))
    # 23:30 UTC on 1 December is already the 2nd in Kyiv: 20 days to the 22nd.
    set_clock(monkeypatch, "2026-12-01T23:30:00+00:00")
    _, texts, messages = await run(ShowHelp(), tracker("допомога", intent="help"))
    assert "Щоб вийти з будь-якого кроку" in texts[0] and "28 числа" not in texts[0]
    assert "почнеться 3 грудня 2026 і триватиме до 22 грудня 2026 включно" in texts[0]
    set_clock(monkeypatch, "2026-12-21T22:30:00+00:00")  # 00:30 on the 22nd in Kyiv
    _, texts, _ = await run(ShowHelp(), tracker("допомога", intent="help"))
    assert "приймаються з 3 до 22 грудня 2026 включно: сьогодні останній день!" in texts[0]
    set_clock(monkeypatch, "2026-12-11T10:00:00+02:00")
    _, texts, messages = await run(ShowHelp(), tracker("допомога", intent="help"))
    assert "з 3 до 22 грудня 2026 включно: залишилося 11 днів." in texts[0]
    assert "Історія показників" in button_titles(messages)


def test_plurals_numbers_and_dates_in_ukrainian():
    from datetime import date
    from decimal import Decimal

    from core.texts.common import DAYS, METERS, counted, days_left, format_date, format_decimal
    from core.texts.readings import counted_digits, counted_meters

    assert [counted(n, DAYS) for n in (1, 2, 5, 11, 21)] == [
        "1 день",
        "2 дні",
        "5 днів",
        "11 днів",
        "21 день",
    ]
    assert [counted_meters(n) for n in (1, 2, 5, 11, 21)] == [
        "1 лічильник",
        "2 лічильники",
        "5 лічильників",
        "11 лічильників",
        "21 лічильник",
    ]
    assert [counted_digits(n) for n in (1, 2, 5, 11, 21)] == [
        "1 знак",
        "2 знаки",
        "5 знаків",
        "11 знаків",
        "21 знак",
    ]
    assert counted(1234, METERS) == "1\u00a0234 лічильники"
    assert format_decimal(Decimal("-1234.50")) == "-1\u00a0234,50"
    assert format_decimal(Decimal("12.3"), 3) == "12,300"
    assert format_date(date(2026, 3, 1)) == "1 березня 2026"
    assert [days_left(n) for n in (1, 2, 5, 21)] == [
        "залишився 1 день",
        "залишилося 2 дні",
        "залишилося 5 днів",
        "залишився 21 день",
    ]


async def test_tariffs_are_read_from_the_table_and_marked_demo(seeded):
    _, texts, _ = await run(ShowTariffs(), tracker("тарифи", intent="ask_tariff"))
    assert "1\u00a0654,41 грн за Гкал" in texts[0] and "демо" in texts[0]


async def test_contacts_come_from_staff_settings_first(seeded):
    _, texts, _ = await run(ShowContacts(), tracker(intent="contact_operator"))
    assert "(0532) 00-00-00" in texts[0]
    in_session(lambda s: settings_repo.set_setting(s, PHONE_KEY, "(0532) 11-22-33"))
    _, texts, _ = await run(ShowContacts(), tracker(intent="contact_operator"))
    assert "(0532) 11-22-33" in texts[0]
    _, texts, _ = await run(ExplainMeterProblem(), tracker(intent="meter_problem"))
    assert "повірк" in texts[0] and "(0532) 11-22-33" in texts[0]


async def test_reminders_switch_off_and_on(seeded):
    def enabled():
        return in_session(lambda s: s.execute(select(MessengerUser.reminders_enabled)).scalar_one())

    _, texts, _ = await run(SetReminders(), tracker("не нагадуй", intent="reminders_off"))
    assert enabled() is False and "більше не надсилатиму" in texts[0]
    _, texts, _ = await run(SetReminders(), tracker("нагадуй", intent="reminders_on"))
    assert enabled() is True
    # The user has no account yet: the reply says reminders need one.
    assert "додайте свій" in texts[0]


async def test_fallback_offers_operator_on_the_second_miss_and_counts_anonymously(seeded):
    _, first, messages = await run(Fallback(), tracker("ыыы", intent="nlu_fallback"))
    assert "не зрозумів" in first[0] and "Передати показники" in button_titles(messages)
    _, second, _ = await run(
        Fallback(), tracker("ччч", intent="nlu_fallback", previous_intents=["nlu_fallback"])
    )
    assert "тел. (0532) 00-00-00" in second[0]
    events = in_session(lambda s: s.execute(select(ConversationEvent)).scalars().all())
    assert [(e.kind, e.channel) for e in events] == [("fallback", "telegram")] * 2


async def test_cancel_leaves_the_form_and_clears_everything():
    slots, texts, _ = await run(
        CancelForm(),
        tracker(
            "скасувати",
            intent="cancel",
            active_loop="reading_form",
            slots={"reading_account": "0100004", "reading_entries": {"1": "5"}},
        ),
    )
    assert "нічого не збережено" in texts[0]
    assert slots["reading_account"] is None and slots["reading_entries"] is None
    assert slots["requested_slot"] is None
