"""The Viber connector in-process: a stand-in assistant, the fake Viber API and
a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from channels import storage
from channels.viber import MAX_BODY, SIGNATURE_HEADER
from core.senders import SenderKey
from core.texts.menu import menu_buttons
from devtools.harness.messengers import texts
from tests.support.payloads import (
    VIBER_NAME,
    VIBER_NON_TEXT,
    viber_conversation_started,
    viber_message,
    viber_signed,
    viber_status,
    viber_subscription,
    viber_text,
)

USER = "01234567890A+bc/TEST=="
SENDER = SenderKey("viber", f"viber:{USER}")
MENU_BUTTONS = menu_buttons()


def greeting():
    return "Вітаю! Оберіть дію:", MENU_BUTTONS


async def deliver(viber, assistant, callback, signature="sign"):
    body, good = viber_signed(callback)
    headers = (
        {} if signature is None else {SIGNATURE_HEADER: good if signature == "sign" else signature}
    )
    return await viber.handle(headers, body, assistant, greeting)


async def test_bad_or_missing_signature_is_403_and_nothing_happens(viber, assistant, viber_api):
    callback = viber_text(USER, "привіт")
    body, good = viber_signed(callback)
    forged = viber_signed(callback, token="another-bots-token")[1]
    for signature in (None, "", "00" * 32, forged, good[:-2]):
        status, _ = await deliver(viber, assistant, callback, signature)
        assert status == 403
    tampered = body.replace("привіт".encode(), "пока".encode())
    assert (await viber.handle({SIGNATURE_HEADER: good}, tampered, assistant, greeting))[0] == 403
    assert assistant.messages == [] and viber_api.calls == []
    assert await storage.subscription(SENDER) is None
    # Upper-case hex is the same signature.
    status, _ = await deliver(viber, assistant, callback, good.upper())
    assert status == 200 and assistant.texts == ["привіт"]


async def test_text_reaches_the_assistant_as_a_channel_qualified_sender(
    viber, assistant, viber_api
):
    await deliver(viber, assistant, viber_text(USER, "мої рахунки"))
    (message,) = assistant.messages
    assert (message.sender_id, message.input_channel) == (f"viber:{USER}", "viber")
    (sent,) = viber_api.sent()
    assert sent["receiver"] == USER and sent["text"] == "Отримав: мої рахунки"
    assert sent["sender"] == {"name": VIBER_NAME} and sent["type"] == "text"
    (call,) = viber_api.calls
    assert call.headers["X-Viber-Auth-Token"] == viber.auth_token
    # Writing to the bot subscribes the user.
    assert await storage.subscription(SENDER) is True


async def test_keyboard_presses_carry_the_payload(viber, assistant, viber_api):
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
    await deliver(viber, assistant, viber_text(USER, "0100004"))
    keyboard = viber_api.sent()[0]["keyboard"]
    assert keyboard["Type"] == "keyboard"
    assert [
        (b["Text"], b["ActionType"], b["ActionBody"], b["Columns"], b["Rows"])
        for b in keyboard["Buttons"]
    ] == [("Так", "reply", "/affirm", 3, 1), ("Ні", "reply", "/deny", 3, 1)]
    # A sticker instead of an answer: the polite reply keeps the Yes/No keyboard.
    await deliver(viber, assistant, viber_message(USER, VIBER_NON_TEXT["sticker"]))
    assert viber_api.sent()[-1]["keyboard"] == keyboard and len(assistant.messages) == 1
    assistant.behaviour = assistant.echo
    await deliver(viber, assistant, viber_text(USER, "ні"))  # typed title, same meaning
    await deliver(viber, assistant, viber_text(USER, "/affirm"))  # a press: ActionBody
    assert assistant.texts[1:] == ["/deny", "/affirm"]


async def test_duplicate_callbacks_are_processed_once(viber, assistant, viber_api):
    callback = viber_text(USER, "передати показники", token=5123000000000000001)
    for _ in range(3):
        assert (await deliver(viber, assistant, callback))[0] == 200
    assert assistant.texts == ["передати показники"] and len(viber_api.sent()) == 1


async def test_conversation_started_answers_one_welcome_with_the_menu(viber, assistant, viber_api):
    callback = viber_conversation_started(USER)
    status, welcome = await deliver(viber, assistant, callback)
    assert status == 200 and "receiver" not in welcome
    assert welcome["text"] == "Вітаю! Оберіть дію:" and welcome["sender"]["name"] == VIBER_NAME
    assert [(b["Text"], b["ActionBody"]) for b in welcome["keyboard"]["Buttons"]] == [
        (b["title"], b["payload"]) for b in MENU_BUTTONS
    ]
    assert sum(b["Columns"] for b in welcome["keyboard"]["Buttons"]) == 6 * 4  # four rows
    # Nothing through the API (Viber forbids it before subscription), once only.
    assert viber_api.calls == [] and assistant.messages == []
    assert (await deliver(viber, assistant, callback))[1] == {"status": 0}
    assert await storage.subscription(SENDER) is None


async def test_subscriptions_are_recorded_and_unsubscribed_users_never_messaged_first(
    viber, assistant, viber_api
):
    reminder = {"text": "Нагадуємо: показники приймаються до 28 числа."}
    output = viber.get_output_channel()
    await output.send_response(SENDER.sender_id, dict(reminder))
    assert viber_api.sent() == []  # unknown user: not subscribed

    await deliver(viber, assistant, viber_subscription(USER, True))
    assert await storage.subscription(SENDER) is True
    await output.send_response(SENDER.sender_id, dict(reminder))
    assert texts(viber_api.sent()) == reminder["text"]

    await deliver(viber, assistant, viber_subscription(USER, False))
    assert await storage.subscription(SENDER) is False
    await output.send_response(SENDER.sender_id, dict(reminder))
    assert len(viber_api.sent()) == 1 and assistant.messages == []


async def test_not_subscribed_answer_from_viber_is_recorded(viber, assistant, viber_api):
    viber_api.script("send_message", {"status": 6, "status_message": "notSubscribed"})
    await deliver(viber, assistant, viber_text(USER, "привіт"))
    assert await storage.subscription(SENDER) is False


async def test_non_text_messages_get_a_polite_answer(viber, assistant, viber_api):
    for message in VIBER_NON_TEXT.values():
        await deliver(viber, assistant, viber_message(USER, message))
    answers = [m["text"] for m in viber_api.sent()]
    assert len(answers) == len(VIBER_NON_TEXT) and assistant.messages == []
    assert "стікер" in answers[0]
    assert "Геолокація" in answers[1] and "Номер телефону" in answers[2]
    assert all("текстові повідомлення та кнопки" in a for a in answers)


async def test_status_and_verification_callbacks_are_acknowledged(viber, assistant, viber_api):
    verification = {
        "event": "webhook",
        "timestamp": 1795168800000,
        "chat_hostname": "SN-CHAT-01_",
        "message_token": 4912661846655238145,
    }
    assert await deliver(viber, assistant, verification) == (200, {"status": 0})
    for event in ("delivered", "seen", "failed"):
        assert await deliver(viber, assistant, viber_status(event, USER)) == (200, {"status": 0})
    assert assistant.messages == [] and viber_api.calls == []


async def test_oversized_body_is_rejected(viber, assistant):
    callback = viber_text(USER, "1" * MAX_BODY)
    assert (await deliver(viber, assistant, callback))[0] == 413
    assert assistant.messages == []
