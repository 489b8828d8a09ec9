"""Submitting readings: parsing, every validation, confirmation, summary and saving."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from actions.forms.reading_form import ValidateReadingForm
from actions.forms.reading_prompts import (
    AskReadingAccount,
    AskReadingChange,
    AskReadingSave,
    AskReadingValue,
)
from actions.readings import PrepareSubmission, SaveReadings
from core.db.models import Reading, ReadingSource, WindowOverride
from core.readings.parsing import ReadingFormatError, parse_reading
from core.readings.submission import meters_for_submission
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from tests.support.clock import set_clock
from tests.support.conversation import button_titles, run, tracker
from tests.support.db import in_session

SENDER = SenderKey("telegram", "user-1")


def link(*numbers, sender=SENDER, now=None):
    from core.settings import get_settings

    moment = get_settings().now()

    def work(session):
        for number in numbers:
            accounts_repo.link_account(
                session, sender, accounts_repo.find_account(session, number), moment
            )

    in_session(work)


def form_state(number):
    """The reading form's slots after the account was chosen."""

    def work(session):
        account = accounts_repo.find_account(session, number)
        return [m.to_slot() for m in meters_for_submission(session, account.id, "2026-11")]

    return {
        "reading_account": number,
        "reading_meters": in_session(work),
        "reading_entries": {},
        "requested_slot": "reading_value",
    }


def stored_assistant_readings():
    return in_session(
        lambda s: [
            (r.meter_id, r.value, r.in_force)
            for r in s.execute(
                select(Reading)
                .where(Reading.source == ReadingSource.assistant)
                .order_by(Reading.id)
            ).scalars()
        ]
    )


@pytest.mark.parametrize(
    "typed, value, decimals",
    [
        ("1234,5", "1234.5", 1),
        ("1 234.5", "1234.5", 1),
        ("345 м3", "345", 0),
        ("12,345 Гкал", "12.345", 3),
        ("0345", "345", 0),
        ("триста сорок п'ять", "345", 0),
        ("дванадцять цілих триста сорок п'ять тисячних", "12.345", 3),
        ("показник 456 кубів", "456", 0),
    ],
)
def test_readings_are_parsed_as_people_type_them(typed, value, decimals):
    assert parse_reading(typed) == (Decimal(value), decimals)


@pytest.mark.parametrize("typed", ["abc", "12.3.4", "-5", "", "12 кг"])
def test_non_numbers_are_refused(typed):
    with pytest.raises(ReadingFormatError):
        parse_reading(typed)


async def test_single_account_is_chosen_without_asking(seeded):
    link("0100004")
    slots, texts, _ = await run(
        ValidateReadingForm(),
        tracker("передати показники", intent="submit_reading", active_loop="reading_form"),
    )
    assert slots["reading_account"] == "0100004"
    assert len(slots["reading_meters"]) == 2
    assert slots["requested_slot"] == "reading_value"
    assert "2 лічильники" in texts[0]


async def test_several_accounts_are_offered_as_buttons(seeded):
    link("0100001", "0100004")
    slots, _, _ = await run(
        ValidateReadingForm(),
        tracker("показники", intent="submit_reading", active_loop="reading_form"),
    )
    assert slots["requested_slot"] == "reading_account"
    _, texts, messages = await run(AskReadingAccount(), tracker(active_loop="reading_form"))
    assert [t.split(",")[0] for t in button_titles(messages)] == ["0100001", "0100004"]
    # The button's payload brings the number as an entity.
    slots, _, _ = await run(
        ValidateReadingForm(),
        tracker(
            '/inform{"account_number":"0100004"}',
            entities=[{"entity": "account_number", "value": "0100004"}],
            slots={"requested_slot": "reading_account"},
            active_loop="reading_form",
        ),
    )
    assert slots["reading_account"] == "0100004"


async def test_someone_elses_account_cannot_be_chosen(seeded):
    link("0100001")
    link("0100004", sender=SenderKey("telegram", "someone-else"))
    slots, texts, _ = await run(
        ValidateReadingForm(),
        tracker(
            "0100004",
            slots={"requested_slot": "reading_account"},
            set_now={"reading_account": "0100004"},
            active_loop="reading_form",
        ),
    )
    assert slots["reading_account"] is None
    assert "Оберіть" in texts[0]


async def test_question_shows_the_previous_reading(seeded):
    link("0100004")
    state = form_state("0100004")
    _, texts, _ = await run(AskReadingValue(), tracker(slots=state, active_loop="reading_form"))
    previous = Decimal(state["reading_meters"][0]["previous_value"])
    assert texts[0].startswith("Лічильник 1 з 2: Тепло, лічильник №")
    assert "Попередній показник: " in texts[0] and "жовтень 2026" in texts[0]
    assert str(previous).replace(".", ",") in texts[0].replace("\u00a0", "")


async def answer(state, text, intent="inform", **set_now):
    """The form's validation after the user said `text` (`set_now`: what was extracted)."""
    return await run(
        ValidateReadingForm(),
        tracker(text, intent=intent, slots=state, set_now=set_now, active_loop="reading_form"),
    )


async def _enter(state, typed):
    return await run(
        ValidateReadingForm(),
        tracker(typed, slots=state, set_now={"reading_value": typed}, active_loop="reading_form"),
    )


async def test_valid_reading_is_kept_and_next_meter_asked(seeded):
    link("0100004")
    state = form_state("0100004")
    previous = Decimal(state["reading_meters"][0]["previous_value"])
    typed = str(previous + Decimal("0.5")).replace(".", ",")
    slots, texts, _ = await _enter(state, typed)
    meter_id = str(state["reading_meters"][0]["meter_id"])
    assert slots["reading_entries"] == {meter_id: str(previous + Decimal("0.5"))}
    assert slots["reading_value"] is None and slots["requested_slot"] == "reading_value"
    assert texts == []


@pytest.mark.parametrize(
    "make_typed, expected",
    [
        (lambda p: "сто гривень", "не схоже на показник"),
        (lambda p: f"{p + 1}1234", "після коми, а у вашому числі — "),
        (lambda p: str(p - 1).replace(".", ","), "менший за попередній"),
    ],
)
async def test_bad_readings_get_a_reason_and_a_new_chance(seeded, make_typed, expected):
    link("0100004")
    state = form_state("0100004")
    previous = Decimal(state["reading_meters"][0]["previous_value"])
    slots, texts, _ = await _enter(state, make_typed(previous))
    assert slots["reading_value"] is None and "reading_entries" not in slots
    assert expected in texts[0]
    assert slots["requested_slot"] == "reading_value"
    assert stored_assistant_readings() == []


async def test_lower_reading_suggests_the_office_for_a_replaced_meter(seeded):
    link("0100004")
    state = form_state("0100004")
    previous = Decimal(state["reading_meters"][0]["previous_value"])
    _, texts, _ = await _enter(state, str(previous - 1))
    assert "Якщо лічильник замінили" in texts[0] and "тел." in texts[0]


async def test_fewer_decimals_than_the_meter_shows_are_fine(seeded):
    link("0100004")
    state = form_state("0100004")
    previous = Decimal(state["reading_meters"][0]["previous_value"])
    slots, _, _ = await _enter(state, str(int(previous) + 1))
    assert list(slots["reading_entries"].values()) == [str(int(previous) + 1)]


async def test_implausible_consumption_needs_confirmation(seeded):
    link("0100004")
    state = form_state("0100004")
    previous = Decimal(state["reading_meters"][0]["previous_value"])
    high = previous + Decimal("50")
    slots, texts, _ = await _enter(state, str(high))
    assert slots["reading_pending"] == str(high)
    assert slots["requested_slot"] == "reading_high_confirmed"
    assert "незвично велике" in texts[0]

    state.update(reading_pending=str(high), requested_slot="reading_high_confirmed")
    slots, _, _ = await run(
        ValidateReadingForm(),
        tracker(
            "так",
            intent="affirm",
            slots=state,
            set_now={"reading_high_confirmed": True},
            active_loop="reading_form",
        ),
    )
    assert list(slots["reading_entries"].values()) == [str(high)]
    assert slots["reading_pending"] is None and slots["requested_slot"] == "reading_value"

    slots, texts, _ = await run(
        ValidateReadingForm(),
        tracker(
            "ні",
            intent="deny",
            slots=state,
            set_now={"reading_high_confirmed": False},
            active_loop="reading_form",
        ),
    )
    assert "reading_entries" not in slots and slots["reading_pending"] is None
    assert "ще раз" in texts[0]


async def _filled(number):
    state = form_state(number)
    entries = {}
    for meter in state["reading_meters"]:
        entries[str(meter["meter_id"])] = str(Decimal(meter["previous_value"]) + Decimal("1.5"))
    state.update(reading_entries=entries, requested_slot="reading_save")
    return state


async def test_summary_shows_consumption_with_save_and_change(seeded):
    link("0100004")
    state = await _filled("0100004")
    _, texts, messages = await run(
        AskReadingSave(), tracker(slots=state, active_loop="reading_form")
    )
    assert texts[0].count("спожито 1,5") == 2
    assert button_titles(messages) == ["Зберегти", "Змінити"]
    assert stored_assistant_readings() == []


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_change_asks_which_meter_and_re_asks_only_that_one(seeded):
    link("0100004")
    state = await _filled("0100004")
    heat_id, water_id = (str(m["meter_id"]) for m in state["reading_meters"])
    slots, _, _ = await answer(state, "змінити", "correct_reading", reading_save=False)
    assert slots["requested_slot"] == "reading_change"
    assert slots.get("reading_entries") is None  # nothing forgotten yet
    state.update(reading_save=False, requested_slot="reading_change")
    _, texts, messages = await run(AskReadingChange(), tracker(slots=state))
    assert "якого лічильника" in texts[0]
    assert [t.split(",")[0] for t in button_titles(messages)] == ["Тепло", "Гаряча вода"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert all(len(p.encode()) <= 64 for p in payloads)  # a Telegram callback carries it

    slots, _, _ = await run(
        ValidateReadingForm(),
        tracker(
            payloads[1],
            entities=[{"entity": "meter_ref", "value": water_id}],
            slots=state,
            active_loop="reading_form",
        ),
    )
    assert slots["reading_entries"] == {heat_id: state["reading_entries"][heat_id]}
    assert slots["reading_save"] is None and slots["requested_slot"] == "reading_value"
    state.update(slots)
    _, texts, _ = await run(AskReadingValue(), tracker(slots=state))
    assert texts[0].startswith("Лічильник 2 з 2: Гаряча вода")


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_change_by_naming_the_meter(seeded):
    link("0100004")
    state = await _filled("0100004")
    heat_id = str(state["reading_meters"][0]["meter_id"])
    state.update(reading_save=False, requested_slot="reading_change")
    slots, _, _ = await answer(state, "тепло")
    assert heat_id not in slots["reading_entries"] and slots["requested_slot"] == "reading_value"
    slots, texts, _ = await answer(state, "якийсь")
    assert "кнопкою" in texts[0] and slots["requested_slot"] == "reading_change"
    # «Зберегти» instead: nothing to change, the summary again.
    slots, _, _ = await answer(state, "зберегти", "affirm")
    assert slots["reading_save"] is None and slots["requested_slot"] == "reading_save"
    assert slots.get("reading_entries") is None


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_change_with_one_meter_asks_it_again(seeded):
    link("0100002")
    state = await _filled("0100002")
    slots, texts, _ = await answer(state, "змінити", "correct_reading", reading_save=False)
    assert slots["reading_entries"] == {} and slots["requested_slot"] == "reading_value"
    assert "ще раз" in texts[0]


async def test_save_stores_everything_in_one_go_and_confirms_with_the_date(seeded):
    link("0100004")
    state = await _filled("0100004")
    state["reading_save"] = True
    slots, texts, _ = await run(SaveReadings(), tracker("зберегти", intent="affirm", slots=state))
    stored = stored_assistant_readings()
    assert len(stored) == 2 and all(in_force for _, _, in_force in stored)
    assert {str(v) for _, v, _ in stored} == set(state["reading_entries"].values())
    assert "збережено 20 листопада 2026 о 10:00" in texts[0]
    assert all(value is None for value in slots.values())


async def test_correction_supersedes_this_months_readings(seeded):
    link("0100004")
    state = await _filled("0100004")
    state["reading_save"] = True
    await run(SaveReadings(), tracker(slots=state))
    corrected = dict(state)
    corrected["reading_entries"] = {
        k: str(Decimal(v) + 1) for k, v in state["reading_entries"].items()
    }
    _, texts, _ = await run(SaveReadings(), tracker(slots=corrected))
    assert "оновлено" in texts[0]
    stored = stored_assistant_readings()
    assert [in_force for _, _, in_force in stored] == [False, False, True, True]


async def test_nothing_is_saved_without_save(seeded):
    link("0100004")
    state = await _filled("0100004")
    await run(SaveReadings(), tracker(slots={**state, "reading_save": None}))
    assert stored_assistant_readings() == []


async def test_forged_entries_for_an_unlinked_account_are_not_saved(seeded):
    state = await _filled("0100004")  # never linked by this user
    _, texts, _ = await run(SaveReadings(), tracker(slots={**state, "reading_save": True}))
    assert stored_assistant_readings() == []
    assert "Нічого не збережено" in texts[0]


async def test_forged_lower_value_is_not_saved(seeded):
    link("0100004")
    state = await _filled("0100004")
    first = next(iter(state["reading_entries"]))
    state["reading_entries"][first] = "0"
    await run(SaveReadings(), tracker(slots={**state, "reading_save": True}))
    assert stored_assistant_readings() == []


async def test_closed_window_says_when_it_reopens_and_stores_nothing(seeded, monkeypatch):
    link("0100004")
    state = await _filled("0100004")
    set_clock(monkeypatch, "2026-11-29T09:00:00+02:00")
    slots, texts, _ = await run(PrepareSubmission(), tracker("показники", intent="submit_reading"))
    assert slots["flow_route"] == "closed"
    assert "завершився 28 листопада 2026" in texts[0] and "1 грудня 2026" in texts[0]
    await run(SaveReadings(), tracker(slots={**state, "reading_save": True}))
    assert stored_assistant_readings() == []


async def test_month_override_moves_the_deadline(seeded, monkeypatch):
    link("0100004")
    in_session(lambda s: s.add(WindowOverride(period="2026-11", last_day=30)))
    set_clock(monkeypatch, "2026-11-29T09:00:00+02:00")
    slots, _, _ = await run(PrepareSubmission(), tracker("показники", intent="submit_reading"))
    assert slots["flow_route"] == "ready"


async def test_no_account_routes_to_adding_one(seeded):
    slots, texts, _ = await run(PrepareSubmission(), tracker("показники", intent="submit_reading"))
    assert slots["flow_route"] == "no_accounts"
    assert "додамо" in texts[0]


async def test_account_without_meters_ends_the_form(seeded):
    link("0100006")
    slots, texts, _ = await run(
        ValidateReadingForm(),
        tracker("показники", intent="submit_reading", active_loop="reading_form"),
    )
    assert slots["reading_meters"] == [] and slots["requested_slot"] is None
    assert "немає активних лічильників" in texts[0]


async def test_a_new_number_instead_of_confirmation_is_validated_afresh(seeded):
    link("0100004")
    state = form_state("0100004")
    previous = Decimal(state["reading_meters"][0]["previous_value"])
    state.update(reading_pending=str(previous + 50), requested_slot="reading_high_confirmed")
    slots, _, _ = await _enter(state, str(previous + 1))
    assert list(slots["reading_entries"].values()) == [str(previous + 1)]
    assert slots["reading_pending"] is None and slots["requested_slot"] == "reading_value"
