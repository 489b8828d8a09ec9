"""Outbound messages end to end: a newcomer links an account through Viber, the
holder in Telegram gets the notice from the outbox sender and presses «Це не я»;
the reminders reply says when the next reminder comes. Real Rasa and action
servers, fake messenger APIs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.outbox_sender import OutboxSender, TelegramTransport
from channels.telegram_api import TelegramApi
from core.db import engine as db_engine
from core.db.models import AccountFlag, AccountLink, OutboxMessage
from core.repository import accounts as accounts_repo
from devtools.harness.clock import RunningClock
from devtools.harness.messengers import texts
from tests.support.accounts import proof_digits_of
from tests.support.clock import TEST_NOW
from tests.support.outbox import user
from tests.support.payloads import TELEGRAM_TOKEN, tg_callback, tg_text, viber_text

pytestmark = pytest.mark.e2e

NUMBER = "0100012"


def holders(engine):
    with Session(engine, future=True) as session:
        account = accounts_repo.find_account(session, NUMBER)
        rows = session.execute(
            select(AccountLink.sender_id).where(AccountLink.account_id == account.id)
        )
        return sorted(rows.scalars())


def test_newcomer_notice_sent_and_disowned_through_the_button(stack):
    chat, newcomer = 5552001, "VbNewcomer+01=="
    anna = user("telegram", chat)
    with Session(stack.engine, future=True) as session, session.begin():
        account = accounts_repo.find_account(session, NUMBER)
        # Anna proved it the day before: only an older holder's «Це не я» works.
        yesterday = datetime.fromisoformat(TEST_NOW) - timedelta(days=1)
        accounts_repo.link_account(session, anna, account, yesterday)

    say = lambda text: stack.viber_replies(viber_text(newcomer, text))  # noqa: E731
    say("Додати особовий рахунок")
    say(NUMBER)
    say(proof_digits_of(stack.engine, NUMBER))
    assert f"Рахунок додано: {NUMBER}" in texts(say("Так"))
    assert holders(stack.engine) == [f"telegram:{chat}", f"viber:{newcomer}"]

    # The outbox sender delivers the notice to Anna (and to nobody else).
    db_engine.use_engine(stack.engine)
    try:
        api = TelegramApi(TELEGRAM_TOKEN, stack.telegram_api.url, attempts=1)
        sender = OutboxSender([TelegramTransport(api)], clock=RunningClock(TEST_NOW))
        before = len(stack.telegram_api.sent())

        async def deliver() -> None:
            await sender.run_once("telegram")
            await sender.drain()
            await api.close()

        asyncio.run(deliver())
    finally:
        db_engine.use_engine(None)
    # (other tests' messages may go out too: only Anna's chat is looked at)
    [notice] = [m for m in stack.telegram_api.sent()[before:] if m["chat_id"] == str(chat)]
    assert "Viber" in notice["text"]
    [[button]] = notice["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Це не я"

    pressed = stack.tg_replies(tg_callback(chat, button["callback_data"]))
    assert f"Доступ цього користувача до рахунку {NUMBER} призупинено" in texts(pressed)
    # Suspended until staff decide (core/staff/flags.py), not evicted by a press.
    assert holders(stack.engine) == [f"telegram:{chat}", f"viber:{newcomer}"]
    with Session(stack.engine, future=True) as session:
        assert session.execute(select(AccountFlag)).scalars().first() is not None
        statuses = session.execute(
            select(OutboxMessage.status).where(OutboxMessage.sender_id == anna.sender_id)
        )
        assert statuses.scalars().all() == ["sent"]

    # The newcomer sees nothing of it now, and adding it again waits for staff too.
    assert NUMBER not in texts(say("Мої рахунки"))
    say("Додати особовий рахунок")
    say(NUMBER)
    say(proof_digits_of(stack.engine, NUMBER))
    assert "призупинено" in texts(say("Так"))


def test_reminders_on_says_when_the_next_one_comes(stack):
    chat = 5552002
    stack.tg_replies(tg_text(chat, "Додати особовий рахунок"))
    stack.tg_replies(tg_text(chat, "0100014"))
    stack.tg_replies(tg_text(chat, proof_digits_of(stack.engine, "0100014")))
    stack.tg_replies(tg_text(chat, "Так"))
    reply = texts(stack.tg_replies(tg_text(chat, "нагадуйте мені, будь ласка")))
    assert "Наступне нагадування — 25 листопада о 10:00" in reply
    reply = texts(stack.tg_replies(tg_text(chat, "не надсилайте нагадування")))
    assert "більше не надсилатиму" in reply
