"""The reading form as people really answer it: several readings in one message,
a meter skipped, a display that went past its maximum."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from actions.forms.reading_form import ValidateReadingForm
from actions.forms.reading_prompts import AskReadingSave
from actions.readings import SaveReadings
from core.billing.export import accepted_readings
from core.db.models import ConversationEvent, Reading
from core.repository import accounts as accounts_repo
from tests.actions.test_reading_form import answer, form_state, link, stored_assistant_readings
from tests.support.conversation import run, tracker
from tests.support.db import in_session

# What stays in the conversation runs on SQLite only; whatever saves, on both backends.
conversation_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
THREE_METERS = "0100005"  # heat (MWh), hot water in the kitchen and in the bathroom


def typed(meter, more="1"):
    """A plausible reading for `meter` (a slot dict), typed with a decimal comma."""
    return str(Decimal(meter["previous_value"]) + Decimal(more)).replace(".", ",")


async def say(state, text, intent="inform"):
    return await answer(state, text, intent, reading_value=text)


def rejections():
    return in_session(lambda s: s.execute(select(func.count(ConversationEvent.id))).scalar_one())


@conversation_only
async def test_several_readings_at_a_prompt_fill_every_meter_and_go_to_the_summary(seeded):
    link(THREE_METERS)
    state = form_state(THREE_METERS)
    heat, kitchen, bath = state["reading_meters"]
    text = f"тепло {typed(heat)}, кухня {typed(kitchen)}, ванна {typed(bath, '2')}"
    slots, texts, _ = await say(state, text)
    assert slots["reading_entries"] == {
        str(heat["meter_id"]): str(Decimal(heat["previous_value"]) + 1),
        str(kitchen["meter_id"]): str(Decimal(kitchen["previous_value"]) + 1),
        str(bath["meter_id"]): str(Decimal(bath["previous_value"]) + 2),
    }
    assert slots["requested_slot"] == "reading_save"
    assert texts[0].startswith("Записав:") and texts[0].count("\n•") == 3
    assert stored_assistant_readings() == []


@conversation_only
async def test_each_value_passes_the_checks_of_a_value_typed_alone(seeded):
    link(THREE_METERS)
    state = form_state(THREE_METERS)
    heat, kitchen, bath = state["reading_meters"]
    lower = str(Decimal(kitchen["previous_value"]) - 1).replace(".", ",")
    text = f"тепло {typed(heat)}; кухня {lower}; ванна {typed(bath)}1234"
    slots, texts, _ = await say(state, text)
    # Only the heat reading is taken; the kitchen's is lower, the bathroom's has too many decimals.
    assert list(slots["reading_entries"]) == [str(heat["meter_id"])]
    said = "\n".join(texts)
    assert "Записав:" in said and "Не записав:" in said
    assert "менше за попередній" in said and "забагато знаків після коми" in said
    assert slots["requested_slot"] == "reading_value"  # the kitchen, asked on its own
    assert rejections() == 2


@conversation_only
async def test_an_unusually_high_value_among_several_waits_for_confirmation(seeded):
    link(THREE_METERS)
    state = form_state(THREE_METERS)
    heat, kitchen, bath = state["reading_meters"]
    slots, texts, _ = await say(
        state, f"тепло {typed(heat, '50')}, кухня {typed(kitchen)}, ванна {typed(bath)}"
    )
    assert len(slots["reading_entries"]) == 2
    assert slots["reading_pending"] == str(Decimal(heat["previous_value"]) + 50)
    assert slots["requested_slot"] == "reading_high_confirmed"
    assert texts[-1].startswith("Тепло, лічильник №") and "незвично велике" in texts[-1]


@conversation_only
async def test_numbers_in_doubt_are_asked_for(seeded):
    link(THREE_METERS)
    state = form_state(THREE_METERS)
    heat, kitchen, _ = state["reading_meters"]
    slots, texts, _ = await say(state, f"тепло {typed(heat)}, гаряча {typed(kitchen)}")
    assert list(slots["reading_entries"]) == [str(heat["meter_id"])]
    assert "Не зрозумів, до якого лічильника" in texts[-1]
    assert slots["requested_slot"] == "reading_value"


@conversation_only
async def test_readings_in_the_first_message_are_taken(seeded):
    link(THREE_METERS)
    meters = form_state(THREE_METERS)["reading_meters"]
    heat, kitchen = meters[0], meters[1]
    text = f"хочу передати: тепло {typed(heat)}, кухня {typed(kitchen)}"
    slots, texts, _ = await run(
        ValidateReadingForm(), tracker(text, intent="submit_reading", active_loop="reading_form")
    )
    assert slots["reading_account"] == THREE_METERS
    assert set(slots["reading_entries"]) == {str(heat["meter_id"]), str(kitchen["meter_id"])}
    assert slots["requested_slot"] == "reading_value"  # the bathroom is still missing
    assert "3 лічильники" in texts[0] and texts[1].startswith("Записав:")


@conversation_only
async def test_first_message_readings_wait_for_the_account_to_be_chosen(seeded):
    link("0100001", THREE_METERS)
    heat = form_state(THREE_METERS)["reading_meters"][0]
    text = f"хочу передати показники: тепло {typed(heat)}"
    slots, _, _ = await run(
        ValidateReadingForm(), tracker(text, intent="submit_reading", active_loop="reading_form")
    )
    assert slots["requested_slot"] == "reading_account" and slots["reading_carry"] == text
    slots, _, _ = await run(
        ValidateReadingForm(),
        tracker(
            f'/inform{{"account_number":"{THREE_METERS}"}}',
            entities=[{"entity": "account_number", "value": THREE_METERS}],
            slots={"requested_slot": "reading_account", "reading_carry": text},
            active_loop="reading_form",
        ),
    )
    assert list(slots["reading_entries"]) == [str(heat["meter_id"])]
    assert slots["reading_carry"] is None


@conversation_only
async def test_numbers_of_a_first_message_that_name_no_meter_are_not_readings(seeded):
    link(THREE_METERS)
    slots, _, _ = await run(
        ValidateReadingForm(),
        tracker(
            "замість 345 написав 435, виправте",
            intent="correct_reading",
            active_loop="reading_form",
        ),
    )
    assert slots["reading_entries"] == {}


async def _skip(state, text="пропустити", intent="skip_meter"):
    return await say(state, text, intent)


async def test_a_skipped_meter_is_left_out_and_the_others_saved(seeded):
    link("0100004")
    state = form_state("0100004")
    heat, water = state["reading_meters"]
    slots, texts, _ = await _skip(state)
    assert slots["reading_skipped"] == [str(heat["meter_id"])]
    assert "пропускаю" in texts[0] and "Якщо лічильник зламався" in texts[1]
    assert slots["requested_slot"] == "reading_value"
    state.update(slots)
    slots, _, _ = await say(state, typed(water))
    assert slots["requested_slot"] == "reading_save"
    state.update(slots)
    _, texts, _ = await run(AskReadingSave(), tracker(slots=state))
    assert "Тепло" in texts[0] and "пропущено" in texts[0] and "спожито 1 м³" in texts[0]

    state["reading_save"] = True
    _, texts, _ = await run(SaveReadings(), tracker("зберегти", intent="affirm", slots=state))
    assert "збережено" in texts[0]
    assert [(m, v) for m, v, _ in stored_assistant_readings()] == [
        (water["meter_id"], Decimal(water["previous_value"]) + 1)
    ]


@conversation_only
async def test_a_broken_meter_at_its_prompt_is_skipped_with_the_advice(seeded):
    link("0100004")
    state = form_state("0100004")
    slots, texts, _ = await _skip(state, "лічильник зламаний", intent="meter_problem")
    assert slots["reading_skipped"] == [str(state["reading_meters"][0]["meter_id"])]
    assert "Якщо лічильник зламався" in texts[1]


async def test_when_every_meter_is_skipped_nothing_is_saved(seeded):
    link("0100002")
    state = form_state("0100002")
    slots, texts, _ = await _skip(state)
    assert "Усі лічильники пропущено" in texts[-1]
    assert slots["requested_slot"] is None  # the form ends
    state.update(slots)
    await run(SaveReadings(), tracker(slots=state))
    assert stored_assistant_readings() == []


def _wind_up(number, value):
    """The meter's reading of last month becomes `value` (a dial close to its end)."""

    def work(session):
        account = accounts_repo.find_account(session, number)
        (meter,) = accounts_repo.active_meters(session, account.id)
        reading = session.execute(
            select(Reading).where(Reading.meter_id == meter.id, Reading.period == "2026-10")
        ).scalar_one()
        reading.value = Decimal(value)

    in_session(work)


async def test_a_display_past_its_maximum_is_confirmed_as_a_rollover_and_counted_across(seeded):
    link("0100002")  # one hot-water meter
    _wind_up("0100002", "99990")
    state = form_state("0100002")
    slots, texts, _ = await say(state, "00012")
    assert slots["reading_pending"] == "12" and slots["requested_slot"] == "reading_high_confirmed"
    assert "99\u00a0999" in texts[0] and "з нуля" in texts[0] and "спожито 22 м³" in texts[0]
    assert rejections() == 0  # a rollover is no refusal

    state.update(reading_pending="12", requested_slot="reading_high_confirmed")
    slots, _, _ = await answer(state, "так", "affirm", reading_high_confirmed=True)
    state.update(slots)
    _, texts, _ = await run(AskReadingSave(), tracker(slots=state))
    assert "12 м³, спожито 22 м³" in texts[0]
    state["reading_save"] = True
    await run(SaveReadings(), tracker(slots=state))
    assert [v for _, v, _ in stored_assistant_readings()] == [Decimal("12")]
    (row,) = in_session(lambda s: accepted_readings(s, "2026-11"))
    assert (row.reading, row.previous_reading, row.consumption) == (12, 99990, 22)


@conversation_only
async def test_a_lower_value_that_is_no_plausible_rollover_is_refused(seeded):
    link("0100002")
    _wind_up("0100002", "99990")
    slots, texts, _ = await say(form_state("0100002"), "500")
    assert "менший за попередній" in texts[0] and "reading_entries" not in slots
