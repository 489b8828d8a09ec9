"""A one-meter account: readings typed inside sentences, with the request, and
a correction at the summary that brings its value."""

from decimal import Decimal

from actions.forms.reading_form import ValidateReadingForm
from actions.forms.reading_prompts import AskReadingSave
from actions.readings import ShowHistory as ShowHistory
from core.readings.submission import meters_for_submission
from core.repository import accounts as accounts_repo
from tests.actions.test_reading_form import answer, link
from tests.support.conversation import run, tracker
from tests.support.db import in_session


def one_meter_account():
    """A demo account with exactly one meter this period, and that meter's slot."""

    def work(session):
        for index in range(1, 37):
            number = f"{100000 + index:07d}"
            account = accounts_repo.find_account(session, number)
            if account is None:
                continue
            meters = meters_for_submission(session, account.id, "2026-11")
            if len(meters) == 1 and meters[0].previous_value is not None:
                return number, meters[0].to_slot()
        raise AssertionError("the demo data has a one-meter account")

    return in_session(work)


def at(number, meter, slot, entries=None):
    """The form's slots while it asks for `slot`."""
    return {
        "reading_account": number,
        "reading_meters": [meter],
        "reading_entries": entries or {},
        "requested_slot": slot,
    }


def typed(value: Decimal) -> str:
    return str(value).replace(".", ",")


async def test_a_sentence_at_the_prompt_gives_its_one_number(seeded):
    number, meter = one_meter_account()
    link(number)
    value = Decimal(meter["previous_value"]) + 1
    state = at(number, meter, "reading_value")
    text = f"я помилився, має бути {typed(value)}"
    slots, texts, _ = await answer(state, text, reading_value=text)
    assert slots["reading_entries"] == {str(meter["meter_id"]): str(value)}
    assert not any("не схоже" in t or "розділювач" in t for t in texts)

    text = f"було {typed(value)}, стало {typed(value + 1)}"
    slots, texts, _ = await answer(state, text, reading_value=text)
    assert not slots.get("reading_entries") and slots["requested_slot"] == "reading_value"
    assert texts  # the form says why and asks again


async def test_the_value_of_the_request_is_kept_once_the_account_is_chosen(seeded):
    number, meter = one_meter_account()
    link(number)
    value = Decimal(meter["previous_value"]) + 1
    slots, texts, _ = await run(
        ValidateReadingForm(),
        tracker(
            f"хочу передати показник {typed(value)} по рахунку {number}",
            intent="submit_reading",
            active_loop="reading_form",
        ),
    )
    assert slots["reading_account"] == number
    assert slots["reading_entries"] == {str(meter["meter_id"]): str(value)}
    assert slots["requested_slot"] == "reading_save"


async def test_a_correction_at_the_summary_brings_its_value(seeded):
    number, meter = one_meter_account()
    link(number)
    first = Decimal(meter["previous_value"]) + 1
    state = at(number, meter, "reading_save", {str(meter["meter_id"]): str(first)})
    corrected = first + 1
    slots, _, _ = await answer(
        state,
        f"я помилився, має бути {typed(corrected)}",
        intent="correct_reading",
        reading_save=False,
    )
    assert slots["reading_entries"] == {str(meter["meter_id"]): str(corrected)}
    assert slots["requested_slot"] == "reading_save"
    _, texts, _ = await run(
        AskReadingSave(), tracker(slots={**state, **slots}, active_loop="reading_form")
    )
    assert "спожито 2 " in texts[0]


async def test_summary_and_history_format_consumption_alike(seeded):
    number, meter = one_meter_account()
    link(number)
    _, texts, _ = await run(ShowHistory(), tracker("історія", intent="ask_history"))
    history = "\n".join(texts)
    assert "спожито" in history
    assert ",0 " not in history and ",0000" not in history
