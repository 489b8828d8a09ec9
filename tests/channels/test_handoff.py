"""A case in the consumer's chat, in-process: the fake Telegram and Viber APIs, a
stand-in assistant, the clerk's operations of the core and the real outbox sender,
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.db.models import Case, CaseMessage, OutboxMessage
from core.handoff import cases
from core.senders import SenderKey
from core.settings import KYIV
from core.staff import cases as staff_cases
from core.texts.handoff import offer_payload
from devtools.harness.messengers import texts
from tests.channels.test_attachments import PNG
from tests.channels.test_outbox_sender import make_sender, run_until
from tests.channels.test_telegram_channel import deliver
from tests.channels.test_viber_channel import deliver as viber_deliver
from tests.support.clock import pinned_now
from tests.support.db import in_session
from tests.support.payloads import tg_callback, tg_photo, tg_text, viber_text

CHAT = 5550002
SENDER = SenderKey("telegram", f"telegram:{CHAT}")


def the_case(sender=SENDER):
    return in_session(lambda s: cases.open_case_of(s, sender))


def transcript(case_id):
    return in_session(
        lambda s: [(m.author, m.text, m.attachment_token) for m in cases.case_messages(s, case_id)]
    )


def outbox_done():
    return all(
        row.status not in ("pending", "sending")
        for row in in_session(lambda s: list(s.execute(select(OutboxMessage)).scalars()))
    )


async def test_a_consumer_talks_to_a_clerk_in_telegram_and_returns_to_the_assistant(
    telegram, assistant, telegram_api
):
    await deliver(telegram, assistant, tg_text(CHAT, "з'єднайте з оператором"))
    await deliver(telegram, assistant, tg_callback(CHAT, offer_payload("asked")))
    # The assistant saw the request, not the button: the channel opened the case.
    assert assistant.texts == ["з'єднайте з оператором"]
    opened = texts(telegram_api.sent()[-1:])
    assert "Звернення №" in opened and "повернутися до бота" in opened
    case = the_case()
    assert case.status == "new" and case.reason == "asked"

    telegram_api.calls.clear()
    await deliver(telegram, assistant, tg_text(CHAT, "Мені нарахували забагато за листопад"))
    await deliver(telegram, assistant, tg_text(CHAT, "рахунок 0100004"))
    telegram_api.files["bill"] = PNG
    await deliver(telegram, assistant, tg_photo(CHAT, ("bill", len(PNG))))
    assert assistant.texts == ["з'єднайте з оператором"]  # nothing more reached the assistant
    assert [texts([body]) for body in telegram_api.sent()] == [
        "Передав працівнику. Відповідь прийде сюди, у цей чат."
    ]
    lines = transcript(case.id)
    assert ("consumer", "Мені нарахували забагато за листопад", None) in lines
    assert lines[-1][0] == "consumer" and lines[-1][2]  # the photo, by its token

    now = pinned_now()
    in_session(lambda s: staff_cases.take(s, "clerk1", now, case.id))
    in_session(lambda s: staff_cases.reply(s, "clerk1", now, case.id, "Перевірю й напишу."))
    telegram_api.calls.clear()
    await run_until(make_sender(telegram_api), outbox_done)
    assert texts(telegram_api.sent()) == "Відповідь працівника:\nПеревірю й напишу."
    assert the_case().status == "waiting_consumer"

    await deliver(telegram, assistant, tg_text(CHAT, "Дякую, чекаю"))
    assert the_case().status == "waiting_us"
    in_session(lambda s: staff_cases.close(s, "clerk1", now, case.id, "перерахунок зроблено"))
    telegram_api.calls.clear()
    await run_until(make_sender(telegram_api), outbox_done)
    assert "закрив звернення" in texts(telegram_api.sent())
    assert the_case() is None

    await deliver(telegram, assistant, tg_text(CHAT, "привіт"))
    assert assistant.texts[-1] == "привіт"  # the assistant answers again


async def test_return_to_the_bot_closes_the_case_in_viber(viber, assistant, viber_api):
    user = "handoff-user=="
    sender = SenderKey("viber", f"viber:{user}")
    await viber_deliver(viber, assistant, viber_text(user, offer_payload("misunderstood")))
    case = the_case(sender)
    assert case.reason == "misunderstood"
    await viber_deliver(viber, assistant, viber_text(user, "лічильник не крутиться"))
    await viber_deliver(viber, assistant, viber_text(user, "Повернутися до бота"))
    assert the_case(sender) is None
    closed = in_session(lambda s: s.get(Case, case.id))
    assert closed.closed_by == "consumer"
    assert "ви знову спілкуєтеся з ботом" in texts(viber_api.sent())
    assert assistant.texts == []
    await viber_deliver(viber, assistant, viber_text(user, "показники"))
    assert assistant.texts == ["показники"]


async def test_at_night_a_clerk_answers_a_consumer_who_just_wrote(engine, telegram_api):
    night = datetime.fromisoformat("2026-11-25T23:30:00+02:00").astimezone(KYIV)

    def open_and_answer(session):
        case, _ = cases.open_case(session, SENDER, "asked", [], night)
        cases.consumer_wrote(session, case, "Ви ще працюєте?", None, night)
        staff_cases.reply(session, "clerk1", night, case.id, "Так, черговий тут.")
        return case.id

    in_session(open_and_answer)
    from devtools.harness.clock import RunningClock

    sender = make_sender(telegram_api, clock=RunningClock("2026-11-25T23:31:00+02:00"))
    await run_until(sender, outbox_done, seconds=5)
    assert texts(telegram_api.sent()) == "Відповідь працівника:\nТак, черговий тут."


def test_a_clerk_cannot_answer_a_case_another_clerk_works_on(engine):
    now = pinned_now()

    def work(session):
        case, _ = cases.open_case(session, SENDER, "asked", [("consumer", "Добрий день")], now)
        staff_cases.take(session, "clerk1", now, case.id)
        try:
            staff_cases.reply(session, "clerk2", now, case.id, "Я теж відповім")
        except staff_cases.CaseError as error:
            return str(error), case.id
        raise AssertionError("two clerks answered one case")

    message, case_id = in_session(work)
    assert "займається clerk1" in message
    assert in_session(lambda s: s.execute(select(CaseMessage.author)).scalars().all()) == [
        "consumer"
    ]
