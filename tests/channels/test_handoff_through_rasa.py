"""A case through the real Rasa server and action server with the fake Telegram and
Viber APIs: the consumer asks for a person, the clerk answers through the outbox
sender, the consumer writes back, the clerk closes, the assistant answers again."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager

from sqlalchemy.orm import Session

from core.db import engine as db_engine
from core.handoff import cases
from core.senders import SenderKey
from core.staff import cases as staff_cases
from core.texts.handoff import OFFER_TITLE
from devtools.harness.messengers import texts
from tests.channels.test_outbox_sender import make_sender, run_until
from tests.support.clock import pinned_now
from tests.support.payloads import tg_callback, tg_text, viber_text


@contextmanager
def stack_database(stack):
    """The test process's core functions on the stack's database."""
    db_engine.use_engine(stack.engine)
    try:
        yield
    finally:
        db_engine.use_engine(None)


def in_stack(stack, work):
    with Session(stack.engine, future=True) as session, session.begin():
        return work(session)


def offer_of(replies):
    """How the consumer presses «Написати працівнику»: (inline callback data or typed title)."""
    for body in replies:
        markup = body.get("reply_markup") or {}
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if button["text"] == OFFER_TITLE:
                    return "callback", button["callback_data"]
        for row in markup.get("keyboard") or []:
            for button in row:
                if (button.get("text") if isinstance(button, dict) else button) == OFFER_TITLE:
                    return "text", OFFER_TITLE
    raise AssertionError(f"no «{OFFER_TITLE}» in {replies}")


def test_a_telegram_consumer_and_a_clerk_talk_in_the_chat(stack):
    chat = 5551901
    sender = SenderKey("telegram", f"telegram:{chat}")
    contacts = stack.tg_replies(tg_text(chat, "з'єднайте з оператором"))
    assert "Абонентський відділ" in texts(contacts)
    how, what = offer_of(contacts)
    update = tg_callback(chat, what) if how == "callback" else tg_text(chat, what)
    opened = texts(stack.tg_replies(update))
    assert "Звернення №" in opened and "повернутися до бота" in opened

    assert "Передав працівнику" in texts(stack.tg_replies(tg_text(chat, "Лічильник не крутиться")))
    assert stack.tg_replies(tg_text(chat, "показник 345")) == []  # the assistant stays out

    case_id = in_stack(stack, lambda s: cases.open_case_of(s, sender).id)
    lines = in_stack(stack, lambda s: [(m.author, m.text) for m in cases.case_messages(s, case_id)])
    # The conversation before the case came from the tracker store, then the consumer's words.
    assert ("consumer", "з'єднайте з оператором") in lines
    assert any(author == "assistant" and "Абонентський відділ" in t for author, t in lines)
    assert lines[-2:] == [("consumer", "Лічильник не крутиться"), ("consumer", "показник 345")]

    now = pinned_now()
    before = len(stack.telegram_api.sent())
    with stack_database(stack):
        in_stack(stack, lambda s: staff_cases.reply(s, "clerk1", now, case_id, "Надішліть фото."))
        asyncio.run(run_until(make_sender(stack.telegram_api), lambda: sent_since(stack, before)))
    assert texts(stack.telegram_api.sent()[before:]) == "Відповідь працівника:\nНадішліть фото."

    assert stack.tg_replies(tg_text(chat, "Зараз надішлю")) == []
    before = len(stack.telegram_api.sent())
    with stack_database(stack):
        in_stack(
            stack, lambda s: staff_cases.close(s, "clerk1", now, case_id, "лічильник замінять")
        )
        asyncio.run(run_until(make_sender(stack.telegram_api), lambda: sent_since(stack, before)))
    assert "закрив звернення" in texts(stack.telegram_api.sent()[before:])

    assert "Вітаю" in texts(stack.tg_replies(tg_text(chat, "/start")))  # the assistant again


def sent_since(stack, before):
    return len(stack.telegram_api.sent()) > before


def test_a_viber_consumer_returns_to_the_assistant(stack):
    user = "VbHandoff+User01/abc=="
    contacts = stack.viber_replies(viber_text(user, "з'єднайте з оператором"))
    payload = next(
        button["ActionBody"]
        for body in contacts
        for button in (body.get("keyboard") or {}).get("Buttons", [])
        if button.get("Text", "").endswith(OFFER_TITLE) or OFFER_TITLE in button.get("Text", "")
    )
    assert "Звернення №" in texts(stack.viber_replies(viber_text(user, payload)))
    assert "Передав працівнику" in texts(stack.viber_replies(viber_text(user, "Допоможіть")))
    back = texts(stack.viber_replies(viber_text(user, "повернутися до бота")))
    assert "ви знову спілкуєтеся з ботом" in back
    assert "рахунк" in texts(stack.viber_replies(viber_text(user, "мої рахунки")))
