"""The Telegram connector in-process: a stand-in assistant, the fake Bot API and
a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from channels import storage
from channels.telegram import MAX_BODY, SECRET_HEADER
from channels.text import TRY_AGAIN
from core.senders import SenderKey
from devtools.harness.messengers import reply_keyboard_titles, texts
from tests.support.metrics import sample
from tests.support.payloads import (
    TELEGRAM_SECRET,
    TG_NON_TEXT,
    good_secret,
    telegram_body,
    tg_callback,
    tg_message,
    tg_text,
)

CHAT = 5550001
SENDER = SenderKey("telegram", f"telegram:{CHAT}")


async def deliver(telegram, assistant, update, headers=None):
    return await telegram.handle(
        good_secret() if headers is None else headers, telegram_body(update), assistant
    )


async def test_wrong_or_missing_secret_is_403_and_nothing_happens(
    telegram, assistant, telegram_api
):
    update = tg_text(CHAT, "привіт")
    for headers in (
        {},
        {SECRET_HEADER: "wrong-secret-token-000000"},
        {SECRET_HEADER: TELEGRAM_SECRET + "x"},
    ):
        status, _ = await deliver(telegram, assistant, update, headers)
        assert status == 403
    assert assistant.messages == [] and telegram_api.calls == []
    # The rejected attempts did not mark the update as seen: the genuine one goes through.
    status, _ = await deliver(telegram, assistant, update)
    assert status == 200 and assistant.texts == ["привіт"]
    assert texts(telegram_api.sent()) == "Отримав: привіт"


async def test_redelivered_update_is_acknowledged_and_processed_once(
    telegram, assistant, telegram_api
):
    update = tg_text(CHAT, "передати показники")
    deduplicated = sample("teplo_messages_deduplicated_total", channel="telegram")
    assert (await deliver(telegram, assistant, update))[0] == 200
    assert (await deliver(telegram, assistant, update))[0] == 200
    assert assistant.texts == ["передати показники"]
    assert len(telegram_api.sent()) == 1
    assert sample("teplo_messages_deduplicated_total", channel="telegram") == deduplicated + 1


async def test_start_greets_and_commands_are_normalised(telegram, assistant):
    for text in (
        "/start",
        "/start from-site",
        "/start@PoltavaTestBot",
        "/help@PoltavaTestBot",
        "/help@SomeOtherBot",
    ):
        await deliver(telegram, assistant, tg_text(CHAT, text))
    assert assistant.texts == ["/greet", "/greet", "/greet", "/help", "/help@SomeOtherBot"]
    assert {m.sender_id for m in assistant.messages} == {"telegram:5550001"}
    assert {m.input_channel for m in assistant.messages} == {"telegram"}


async def test_reply_keyboard_and_pressed_title_becomes_payload(telegram, assistant, telegram_api):
    async def ask_yes_no(message):
        await message.output_channel.send_response(
            message.sender_id,
            {
                "text": "Це ваша адреса?",
                "buttons": [
                    {"title": "Так", "payload": "/affirm"},
                    {"title": "Ні", "payload": "/deny"},
                ],
            },
        )

    assistant.behaviour = ask_yes_no
    await deliver(telegram, assistant, tg_text(CHAT, "0100004"))
    (question,) = telegram_api.sent()
    assert reply_keyboard_titles(question) == ["Так", "Ні"]
    assert question["reply_markup"]["one_time_keyboard"] is True

    assistant.behaviour = assistant.echo
    await deliver(telegram, assistant, tg_text(CHAT, "Так"))
    assert assistant.texts[-1] == "/affirm"
    # The plain answer takes the keyboard away; typed text is then left to the NLU.
    assert telegram_api.sent()[-1]["reply_markup"] == {"remove_keyboard": True}
    await deliver(telegram, assistant, tg_text(CHAT, "Так"))
    assert assistant.texts[-1] == "Так"
    assert "reply_markup" not in telegram_api.sent()[-1]


async def test_choice_of_account_is_inline_and_callback_is_answered(
    telegram, assistant, telegram_api
):
    payload = '/inform{"account_number":"0100004"}'

    async def ask_account(message):
        await message.output_channel.send_response(
            message.sender_id,
            {
                "text": "За яким рахунком передаєте показники?",
                "buttons": [
                    {"title": "0100004, вул. Шевченка, буд. 2", "payload": payload},
                    {
                        "title": "0100002, вул. Гоголя, буд. 8",
                        "payload": '/inform{"account_number":"0100002"}',
                    },
                ],
            },
        )

    assistant.behaviour = ask_account
    await deliver(telegram, assistant, tg_text(CHAT, "передати показники"))
    markup = telegram_api.sent()[0]["reply_markup"]
    assert markup["inline_keyboard"][0] == [
        {"text": "0100004, вул. Шевченка, буд. 2", "callback_data": payload}
    ]

    assistant.behaviour = assistant.echo
    update = tg_callback(CHAT, payload, message_id=77)
    await deliver(telegram, assistant, update)
    assert assistant.texts[-1] == payload
    (answered,) = telegram_api.of("answerCallbackQuery")
    assert answered.body == {"callback_query_id": update["callback_query"]["id"]}
    (edited,) = telegram_api.of("editMessageReplyMarkup")
    assert edited.body == {"chat_id": CHAT, "message_id": 77}


async def test_failure_inside_the_bot_gets_a_polite_try_again(
    telegram, assistant, telegram_api, caplog
):
    async def broken(message):
        raise RuntimeError("tracker store unavailable")

    assistant.behaviour = broken
    status, _ = await deliver(telegram, assistant, tg_text(CHAT, "1234,5"))
    assert status == 200
    assert texts(telegram_api.sent()) == TRY_AGAIN
    assert "Спробуйте ще раз" in TRY_AGAIN
    assert "RuntimeError" in caplog.text and "1234,5" not in caplog.text


async def test_silence_from_the_bot_gets_a_polite_try_again(telegram, assistant, telegram_api):
    async def silent(message):
        return None

    assistant.behaviour = silent
    await deliver(telegram, assistant, tg_text(CHAT, "привіт"))
    assert texts(telegram_api.sent()) == TRY_AGAIN


async def test_long_reply_is_split_under_the_limit_with_buttons_on_the_last_part(
    telegram, assistant, telegram_api
):
    paragraph = "Показник за листопад 2026 прийнято. " * 40  # ~1400 characters
    long_text = "\n\n".join([paragraph.strip()] * 7) + " 😀" * 300

    async def long_answer(message):
        await message.output_channel.send_response(
            message.sender_id,
            {"text": long_text, "buttons": [{"title": "Так", "payload": "/affirm"}]},
        )

    assistant.behaviour = long_answer
    await deliver(telegram, assistant, tg_text(CHAT, "історія"))
    parts = telegram_api.sent()
    assert len(parts) >= 3
    assert all(len(p["text"].encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert [("reply_markup" in p) for p in parts] == [False] * (len(parts) - 1) + [True]
    assert "".join(p["text"] for p in parts).replace(" ", "").replace(
        "\n", ""
    ) == long_text.replace(" ", "").replace("\n", "")


async def test_flood_control_is_waited_out(telegram, assistant, telegram_api):
    telegram_api.script(
        "sendMessage",
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 0",
            "parameters": {"retry_after": 0},
        },
    )
    await deliver(telegram, assistant, tg_text(CHAT, "привіт"))
    assert len(telegram_api.of("sendMessage")) == 2
    assert assistant.texts == ["привіт"]


async def test_non_text_messages_get_a_polite_answer_without_the_assistant(
    telegram, assistant, telegram_api
):
    for content in TG_NON_TEXT.values():
        await deliver(telegram, assistant, tg_message(CHAT, **content))
    answers = telegram_api.sent()
    assert len(answers) == len(TG_NON_TEXT) and assistant.messages == []
    assert "стікер" in answers[0]["text"]
    assert "Голосові" in answers[1]["text"] and "Номер телефону" in answers[2]["text"]
    assert all("текстові повідомлення та кнопки" in a["text"] for a in answers)


async def test_edited_and_group_messages(telegram, assistant, telegram_api):
    edited = tg_text(CHAT, "1234")
    edited["edited_message"] = edited.pop("message")
    await deliver(telegram, assistant, edited)
    group = tg_text(CHAT, "привіт")
    group["message"]["chat"] = {"id": -100123, "type": "group", "title": "Будинок"}
    await deliver(telegram, assistant, group)
    assert assistant.messages == []
    assert ["Змінене повідомлення" in m["text"] for m in telegram_api.sent()] == [True]


async def test_blocked_bot_marks_the_user_and_nothing_is_sent_first(telegram, telegram_api):
    blocked = {
        "update_id": 700900001,
        "my_chat_member": {
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False},
            "date": 1795168800,
            "old_chat_member": {"status": "member", "user": {"id": 1}},
            "new_chat_member": {"status": "kicked", "user": {"id": 1}, "until_date": 0},
        },
    }
    await telegram.handle(good_secret(), telegram_body(blocked), None)
    assert await storage.subscription(SENDER) is False
    await telegram.get_output_channel().send_response(SENDER.sender_id, {"text": "Нагадування"})
    assert telegram_api.sent() == []


async def test_send_refused_with_403_marks_the_user_unsubscribed(telegram, assistant, telegram_api):
    telegram_api.script(
        "sendMessage",
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    await deliver(telegram, assistant, tg_text(CHAT, "привіт"))
    assert await storage.subscription(SENDER) is False
    # Writing again makes the user reachable again (for reminders and notices).
    await deliver(telegram, assistant, tg_text(CHAT, "я знову тут"))
    assert await storage.subscription(SENDER) is True


async def test_oversized_and_malformed_bodies(telegram, assistant):
    huge = tg_text(CHAT, "x" * (MAX_BODY + 1))
    assert (await deliver(telegram, assistant, huge))[0] == 413
    assert (await telegram.handle(good_secret(), b"not json", assistant))[0] == 400
    assert (await telegram.handle(good_secret(), json.dumps({"x": 1}).encode(), assistant))[
        0
    ] == 400
    assert assistant.messages == []


async def test_never_sends_to_a_sender_of_another_channel(telegram, telegram_api):
    output = telegram.get_output_channel()
    output.in_turn = True
    await output.send_response("viber:5550001", {"text": "Ваші рахунки: 0100004"})
    await output.send_response("5550001", {"text": "Ваші рахунки: 0100004"})
    assert telegram_api.sent() == []
