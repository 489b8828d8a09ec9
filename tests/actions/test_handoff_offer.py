"""«Написати працівнику» is offered with the contacts, after two misunderstood
messages in a row and with the meter-problem advice (real Trackers and dispatcher)."""

from __future__ import annotations

import pytest

from actions.info import ExplainMeterProblem, Fallback, ShowContacts
from core.texts.handoff import OFFER_TITLE, offer_payload
from tests.support.conversation import button_titles, run, tracker


def payloads(messages):
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


@pytest.mark.parametrize(
    "action, made, reason",
    [
        (ShowContacts(), tracker("з'єднайте з оператором", intent="contact_operator"), "asked"),
        (ExplainMeterProblem(), tracker("лічильник зламався", intent="meter_problem"), "meter"),
        (
            Fallback(),
            tracker("ццц", intent="nlu_fallback", previous_intents=["nlu_fallback"]),
            "misunderstood",
        ),
    ],
)
async def test_a_person_is_offered_where_the_assistant_cannot_help(engine, action, made, reason):
    _, texts, messages = await run(action, made)
    assert OFFER_TITLE in button_titles(messages)
    assert offer_payload(reason) in payloads(messages)
    assert texts  # the phone stays in the answer


async def test_one_misunderstood_message_gets_the_menu_only(engine):
    _, _, messages = await run(Fallback(), tracker("ццц", intent="nlu_fallback"))
    assert OFFER_TITLE not in button_titles(messages)
