"""Links printed on bills, in-process: what the channels hand the assistant for
a live token, and for a forged or replaced one (SQLite and PostgreSQL)."""

from __future__ import annotations

from channels.viber import SIGNATURE_HEADER
from core.staff.links import issue_bill_links
from tests.channels.test_telegram_channel import deliver as tg_deliver
from tests.channels.test_viber_channel import greeting
from tests.support.clock import pinned_now
from tests.support.db import in_session
from tests.support.payloads import tg_text, viber_conversation_started, viber_signed

FORGED = "AAAAAAAAAAAAAAAAAAAAAA"  # well-formed, issued to nobody


def issue(renew=False):
    rows = in_session(
        lambda s: issue_bill_links(
            s, "test", pinned_now(), telegram_bot="PoltavaTestBot", viber_uri="teplo", renew=renew
        )
    )
    return {row.account_number: row.token for row in rows}


async def test_telegram_start_with_a_live_token_opens_the_account_form(seeded, telegram, assistant):
    token = issue()["0100004"]
    for text in (f"/start {token}", f"/start@PoltavaTestBot {token}"):
        await tg_deliver(telegram, assistant, tg_text(5552001, text))
    assert assistant.texts == ['/add_account{"account_number": "0100004"}'] * 2


async def test_telegram_start_with_a_forged_or_replaced_token_greets(seeded, telegram, assistant):
    old = issue()["0100004"]
    issue(renew=True)
    for payload in (old, FORGED, "0100004", "x" * 200, "'; drop table accounts"):
        await tg_deliver(telegram, assistant, tg_text(5552002, f"/start {payload}"))
    assert assistant.texts == ["/greet"] * 5


async def viber_started(viber, assistant, user, context):
    callback = {**viber_conversation_started(user), "context": context}
    body, signature = viber_signed(callback)
    return await viber.handle({SIGNATURE_HEADER: signature}, body, assistant, greeting)


async def test_viber_context_with_a_live_token_answers_with_the_form_as_welcome(
    seeded, viber, assistant, viber_api
):
    token = issue()["0100007"]
    status, welcome = await viber_started(viber, assistant, "vbUser1==", token)
    assert status == 200 and assistant.texts == ['/add_account{"account_number": "0100007"}']
    # What the assistant said is the welcome itself: nothing through the API before subscribing.
    assert welcome["text"] == 'Отримав: /add_account{"account_number": "0100007"}'
    assert viber_api.calls == []


async def test_viber_subscriber_with_a_live_token_is_answered_as_usual(
    seeded, viber, assistant, viber_api
):
    token = issue()["0100007"]
    callback = {**viber_conversation_started("vbUser3==", subscribed=True), "context": token}
    body, signature = viber_signed(callback)
    status, answer = await viber.handle({SIGNATURE_HEADER: signature}, body, assistant, greeting)
    assert status == 200 and answer == {"status": 0}
    assert [m["text"] for m in viber_api.sent()] == [
        'Отримав: /add_account{"account_number": "0100007"}'
    ]


async def test_viber_context_forged_gets_the_ordinary_welcome(seeded, viber, assistant):
    status, welcome = await viber_started(viber, assistant, "vbUser2==", FORGED)
    assert status == 200 and welcome["text"] == "Вітаю! Оберіть дію:"
    assert assistant.messages == []
