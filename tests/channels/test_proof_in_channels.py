"""The ownership proof answered in the channels (issue 19): typed digits and a
Telegram contact are checked before Rasa and replaced by a placeholder; a
forwarded contact proves nothing; a Viber contact never proves (its API cannot
tell the user's own number from a forwarded card) and the desktop app's empty
number gets its own answer. Fake Telegram/Viber APIs, a real database."""

from __future__ import annotations

from sqlalchemy import select

from channels.text import CONTACT_NOT_OWN, VIBER_PHONE_EMPTY, VIBER_PHONE_NO_PROOF
from core.accounts import challenge
from core.db.models import OwnershipProof, ProofChallenge
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from core.texts.accounts import SHARE_PHONE_BUTTON
from devtools.harness.messengers import texts
from tests.channels.test_viber_channel import greeting
from tests.support.accounts import proof_digits
from tests.support.clock import pinned_now
from tests.support.db import in_session
from tests.support.payloads import (
    good_secret,
    telegram_body,
    tg_message,
    tg_text,
    viber_message,
    viber_signed,
    viber_text,
)

CHAT = 5550077
TG = SenderKey("telegram", f"telegram:{CHAT}")
VB_USER = "pr00f-user=="
VB = SenderKey("viber", f"viber:{VB_USER}")
NUMBER = "0100004"
PHONE = "+380501234567"


def asked(sender: SenderKey, phone: str = PHONE) -> None:
    """What the account form's proof prompt leaves behind (action_ask_ownership_proof)."""

    def work(session):
        account = accounts_repo.find_account(session, NUMBER)
        account.phone = phone
        challenge.open_challenge(session, sender, account.id, pinned_now())

    in_session(work)


def outcome(sender: SenderKey):
    return in_session(
        lambda s: s.execute(
            select(ProofChallenge.outcome).where(ProofChallenge.sender_id == sender.sender_id)
        ).scalar_one_or_none()
    )


def answers(sender: SenderKey):
    return in_session(
        lambda s: s.execute(
            select(OwnershipProof.succeeded, OwnershipProof.method).where(
                OwnershipProof.sender_id == sender.sender_id
            )
        ).all()
    )


async def tg(telegram, assistant, update):
    return await telegram.handle(good_secret(), telegram_body(update), assistant)


async def vb(viber, assistant, callback):
    body, good = viber_signed(callback)
    from channels.viber import SIGNATURE_HEADER

    return await viber.handle({SIGNATURE_HEADER: good}, body, assistant, greeting)


def own_contact(chat_id: int, phone: str, user_id=None):
    return tg_message(
        chat_id,
        contact={
            "phone_number": phone,
            "first_name": "Тест",
            "user_id": chat_id if user_id is None else user_id,
        },
    )


async def test_typed_digits_never_reach_the_assistant(seeded, telegram, assistant, telegram_api):
    asked(TG)
    digits = proof_digits(NUMBER)
    await tg(telegram, assistant, tg_text(CHAT, f"мої цифри {digits}"))
    assert assistant.texts == [challenge.PLACEHOLDER]
    assert digits not in " ".join(assistant.texts)
    assert outcome(TG) == "proved" and answers(TG) == [(True, "digits")]
    # Short answers and button payloads pass as they are (no secret in them).
    await tg(telegram, assistant, tg_text(CHAT, "скасувати"))
    assert assistant.texts[-1] == "скасувати"


async def test_any_other_answer_ends_the_prompt(seeded, telegram, assistant):
    asked(TG)
    for text in ("скасувати", "1234,5"):  # a reading typed later is never taken
        await tg(telegram, assistant, tg_text(CHAT, text))
    assert assistant.texts == ["скасувати", "1234,5"] and answers(TG) == []


async def test_without_a_prompt_numbers_go_to_the_assistant(seeded, telegram, assistant):
    await tg(telegram, assistant, tg_text(CHAT, "1234,5"))
    assert assistant.texts == ["1234,5"]


async def test_the_share_phone_button_asks_telegram_for_the_users_own_contact(
    seeded, telegram, assistant, telegram_api
):
    async def prompt(message):
        await message.output_channel.send_response(
            message.sender_id, {"text": "Підтвердьте рахунок", "buttons": [SHARE_PHONE_BUTTON]}
        )

    assistant.behaviour = prompt
    await tg(telegram, assistant, tg_text(CHAT, "0100004"))
    (sent,) = telegram_api.sent()
    assert sent["reply_markup"]["keyboard"] == [
        [{"text": "Поділитися номером", "request_contact": True}]
    ]


async def test_the_users_own_contact_proves_and_the_phone_stays_out(
    seeded, telegram, assistant, telegram_api
):
    asked(TG)
    await tg(telegram, assistant, own_contact(CHAT, "380501234567"))
    assert assistant.texts == [challenge.PLACEHOLDER]
    assert outcome(TG) == "proved" and answers(TG) == [(True, "phone")]


async def test_an_own_contact_with_another_number_is_a_wrong_answer(seeded, telegram, assistant):
    asked(TG)
    await tg(telegram, assistant, own_contact(CHAT, "+380671112233"))
    assert assistant.texts == [challenge.PLACEHOLDER]
    assert outcome(TG) == "wrong" and answers(TG) == [(False, "phone")]


async def test_a_forwarded_contact_proves_nothing(seeded, telegram, assistant, telegram_api):
    asked(TG)
    # The owner's very number, but someone else's card: Telegram says whose it is.
    await tg(telegram, assistant, own_contact(CHAT, PHONE, user_id=CHAT + 1))
    # A card without user_id at all, as in the real aiogram capture
    # (shared/messenger_payloads/telegram.jsonl, tg-aiogram-contact), in this chat.
    card = {"phone_number": "88005553535", "first_name": "John", "last_name": "Smith"}
    await tg(telegram, assistant, tg_message(CHAT, contact=card))
    assert assistant.messages == [] and answers(TG) == []
    assert texts(telegram_api.sent()).count(CONTACT_NOT_OWN) == 2


async def test_a_contact_without_a_prompt_gets_the_usual_answer(seeded, telegram, telegram_api):
    from tests.channels.conftest import FakeAssistant

    await tg(telegram, FakeAssistant(), own_contact(CHAT, PHONE))
    assert "Номер телефону мені не потрібен" in texts(telegram_api.sent())


async def test_a_viber_contact_never_proves_and_an_empty_one_is_explained(
    seeded, viber, assistant, viber_api
):
    asked(VB)
    shared = {"type": "contact", "contact": {"name": "Тест", "phone_number": "380501234567"}}
    await vb(viber, assistant, viber_message(VB_USER, shared))
    desktop = {"type": "contact", "contact": {"name": "Тест", "phone_number": ""}}
    await vb(viber, assistant, viber_message(VB_USER, desktop))
    assert assistant.messages == [] and answers(VB) == []
    sent = texts(viber_api.sent())
    assert VIBER_PHONE_NO_PROOF in sent and VIBER_PHONE_EMPTY in sent
    # The digits still work on Viber, taken before Rasa like on Telegram.
    await vb(viber, assistant, viber_text(VB_USER, proof_digits(NUMBER)))
    assert assistant.texts == [challenge.PLACEHOLDER] and outcome(VB) == "proved"


async def test_the_viber_keyboard_never_offers_share_phone(seeded, viber, assistant, viber_api):
    async def prompt(message):
        await message.output_channel.send_response(
            message.sender_id,
            {
                "text": "Підтвердьте рахунок",
                "buttons": [SHARE_PHONE_BUTTON, {"title": "Меню", "payload": "/greet"}],
            },
        )

    assistant.behaviour = prompt
    await vb(viber, assistant, viber_text(VB_USER, "0100004"))
    (sent,) = viber_api.sent()
    assert [b["ActionBody"] for b in sent["keyboard"]["Buttons"]] == ["/greet"]


async def test_the_rest_channel_takes_the_digits_too(seeded):
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from channels.rest import taking_proofs

    rest = SenderKey("rest", "rest-user")
    asked(rest, phone=None)
    received = []

    async def assistant(message):
        received.append(message.text)

    handle = taking_proofs(assistant)
    digits = proof_digits(NUMBER)
    for text in (digits, "так"):
        await handle(
            UserMessage(text, CollectingOutputChannel(), "rest-user", input_channel="rest")
        )
    assert received == [challenge.PLACEHOLDER, "так"]
    assert outcome(rest) == "proved" and answers(rest) == [(True, "digits")]
