"""Both channels through the real Rasa server and action server, with the fake
messenger APIs on loopback: what a consumer would see, and what gets stored."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db.models import Attachment, Reading, ReadingSource
from core.repository import accounts as accounts_repo
from core.repository import readings as readings_repo
from devtools.harness.messengers import JPEG, PDF, reply_keyboard_titles, texts
from tests.support.accounts import proof_digits_of
from tests.support.payloads import (
    TG_NON_TEXT,
    VIBER_NON_TEXT,
    tg_callback,
    tg_document,
    tg_message,
    tg_photo,
    tg_text,
    viber_conversation_started,
    viber_file,
    viber_message,
    viber_signed,
    viber_text,
)

pytestmark = pytest.mark.e2e

MENU = [
    "Передати показники",
    "Додати особовий рахунок",
    "Мої рахунки",
    "Історія показників",
    "Строки подачі",
    "Контакти",
    "Допомога",
]


def previous_values(engine, number):
    with Session(engine, future=True) as session:
        account = accounts_repo.find_account(session, number)
        return [
            readings_repo.last_reading(session, m.id).value
            for m in accounts_repo.active_meters(session, account.id)
        ]


def stored(engine, channel, sender_id):
    with Session(engine, future=True) as session:
        rows = session.execute(
            select(Reading)
            .where(
                Reading.source == ReadingSource.assistant,
                Reading.channel == channel,
                Reading.sender_id == sender_id,
                Reading.in_force.is_(True),
            )
            .order_by(Reading.id)
        )
        return [(r.value, r.period) for r in rows.scalars()]


def comma(value: Decimal) -> str:
    return str(value).replace(".", ",")


def test_telegram_full_submission_with_keyboards(stack):
    chat = 5551001
    say = lambda text: stack.tg_replies(tg_text(chat, text))  # noqa: E731

    greeting = say("/start")
    assert "Вітаю" in texts(greeting) and reply_keyboard_titles(greeting[-1]) == MENU
    assert "номер особового рахунку" in texts(say("Передати показники"))  # pressed title
    assert "останні 6 цифр" in texts(say("01-00-004"))
    question = say(proof_digits_of(stack.engine, "0100004"))
    assert "Це ваша адреса?" in texts(question)
    assert reply_keyboard_titles(question[-1]) == ["Так", "Ні"]
    linked = say("Так")
    assert "Рахунок додано: 0100004" in texts(linked)
    assert reply_keyboard_titles(linked[-1]) == ["Передати показники", "Пізніше"]

    heat, water = previous_values(stack.engine, "0100004")
    first = say("Передати показники")
    assert "Лічильник 1 з 2" in texts(first)
    assert {"remove_keyboard": True} in [m.get("reply_markup") for m in first]
    assert "Лічильник 2 з 2" in texts(say(comma(heat + Decimal("0.75"))))
    summary = say(comma(water + 3))
    assert "спожито 0,75 Гкал" in texts(summary)
    assert reply_keyboard_titles(summary[-1]) == ["Зберегти", "Змінити"]
    assert stored(stack.engine, "telegram", f"telegram:{chat}") == []

    assert "збережено" in texts(say("Зберегти"))
    assert stored(stack.engine, "telegram", f"telegram:{chat}") == [
        (heat + Decimal("0.75"), "2026-11"),
        (water + 3, "2026-11"),
    ]

    # A second account: now the choice of account is an inline keyboard.
    say("додати особовий рахунок")
    say("0100002")
    say(proof_digits_of(stack.engine, "0100002"))
    say("Так")
    choice = say("Передати показники")
    inline = choice[-1]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in inline] == [
        '/inform{"account_number":"0100004"}',
        '/inform{"account_number":"0100002"}',
    ]
    before = len(stack.telegram_api.of("answerCallbackQuery"))
    pressed = stack.tg_replies(tg_callback(chat, inline[1][0]["callback_data"]))
    assert "Лічильник 1 з 1" in texts(pressed)
    assert len(stack.telegram_api.of("answerCallbackQuery")) == before + 1
    assert "нічого не збережено" in texts(say("скасувати"))


def test_viber_welcome_and_full_submission(stack):
    user = "VbStack+User01/abc=="
    status, welcome = stack.viber(viber_conversation_started(user))
    assert status == 200 and "Допоможу передати показники" in welcome["text"]  # utter_greet
    assert [(b["Text"], b["ActionBody"]) for b in welcome["keyboard"]["Buttons"]] == [
        ("Передати показники", "/submit_reading"),
        ("Додати особовий рахунок", "/add_account"),
        ("Мої рахунки", "/list_accounts"),
        ("Історія показників", "/reading_history"),
        ("Строки подачі", "/ask_deadline"),
        ("Контакти", "/contact_operator"),
        ("Допомога", "/help"),
    ]
    say = lambda text: stack.viber_replies(viber_text(user, text))  # noqa: E731

    assert "номер особового рахунку" in texts(say("/submit_reading"))  # pressed button
    assert "останні 6 цифр" in texts(say("0100011"))
    question = say(proof_digits_of(stack.engine, "0100011"))
    assert "Це ваша адреса?" in texts(question)
    assert [(b["Text"], b["ActionBody"]) for b in question[-1]["keyboard"]["Buttons"]] == [
        ("Так", "/affirm"),
        ("Ні", "/deny"),
    ]
    assert "Рахунок додано: 0100011" in texts(say("/affirm"))
    heat, water = previous_values(stack.engine, "0100011")
    assert "Лічильник 1 з 2" in texts(say("/submit_reading"))
    assert "Лічильник 2 з 2" in texts(say(f"{comma(heat + Decimal('1.2'))} Гкал"))
    summary = say(str(water + 4))
    assert [(b["Text"], b["ActionBody"]) for b in summary[-1]["keyboard"]["Buttons"]] == [
        ("Зберегти", "/affirm"),
        ("Змінити", "/correct_reading"),
    ]
    assert all(m["sender"]["name"] == "Полтаватеплоенерго" for m in summary)
    assert "збережено" in texts(say("/affirm"))
    assert stored(stack.engine, "viber", f"viber:{user}") == [
        (heat + Decimal("1.2"), "2026-11"),
        (water + 4, "2026-11"),
    ]


def test_a_telegram_id_never_reaches_a_viber_users_accounts(stack):
    chat = 5551002
    stack.tg_replies(tg_text(chat, "додати особовий рахунок"))
    stack.tg_replies(tg_text(chat, "0100005"))
    stack.tg_replies(tg_text(chat, proof_digits_of(stack.engine, "0100005")))
    assert "Рахунок додано" in texts(stack.tg_replies(tg_text(chat, "Так")))
    # The same number as a Viber user id sees none of it.
    as_viber = stack.viber_replies(viber_text(str(chat), "мої рахунки"))
    assert "немає доданих рахунків" in texts(as_viber)
    assert "0100005" in texts(stack.tg_replies(tg_text(chat, "мої рахунки")))


def test_secret_and_signature_are_checked_before_anything_happens(stack):
    update = tg_text(5551003, "мої рахунки")
    calls = len(stack.telegram_api.calls)
    assert stack.telegram(update, secret=None)[0] == 403
    assert stack.telegram(update, secret="wrong-secret-token-000000")[0] == 403
    assert len(stack.telegram_api.calls) == calls
    assert "немає доданих рахунків" in texts(stack.tg_replies(update))  # same update, genuine

    callback = viber_text("VbStack+User03/abc==", "мої рахунки")
    calls = len(stack.viber_api.calls)
    assert stack.viber(callback, signature=None)[0] == 403
    assert stack.viber(callback, signature="ab" * 32)[0] == 403
    assert len(stack.viber_api.calls) == calls
    assert "немає доданих рахунків" in texts(stack.viber_replies(callback))


def test_redelivered_updates_are_processed_once(stack):
    update = tg_text(5551004, "до якого числа приймаєте показники?")
    callback = viber_text("VbStack+User04/abc==", "до якого числа приймаєте показники?")
    before_tg, before_vb = len(stack.telegram_api.sent()), len(stack.viber_api.sent())
    statuses = []
    threads = [
        threading.Thread(target=lambda: statuses.append(stack.telegram(update)[0]))
        for _ in range(3)
    ]
    threads += [
        threading.Thread(target=lambda: statuses.append(stack.viber(callback)[0])) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6
    assert stack.telegram(update)[0] == 200 and stack.viber(callback)[0] == 200
    tg_sent = stack.telegram_api.sent()[before_tg:]
    vb_sent = stack.viber_api.sent()[before_vb:]
    assert len(tg_sent) == 1 and "28 листопада 2026" in tg_sent[0]["text"]
    assert len(vb_sent) == 1 and "28 листопада 2026" in vb_sent[0]["text"]


def test_non_text_messages_are_answered_and_contacts_not_logged(stack):
    voice = stack.tg_replies(tg_message(5551005, **TG_NON_TEXT["voice"]))
    contact = stack.tg_replies(tg_message(5551005, **TG_NON_TEXT["contact"]))
    assert "Голосові" in texts(voice) and "Номер телефону" in texts(contact)
    location = stack.viber_replies(
        viber_message("VbStack+User05/abc==", VIBER_NON_TEXT["location"])
    )
    assert "Геолокація" in texts(location)
    assert "+380501234567" not in stack.log.read_text(encoding="utf-8")


def test_oversized_bodies_are_rejected(stack):
    calls = len(stack.telegram_api.calls) + len(stack.viber_api.calls)
    assert stack.telegram(tg_text(5551006, "1" * 300_000))[0] == 413
    body, signature = viber_signed(viber_text("VbStack+User06/abc==", "1" * 300_000))
    assert (
        stack.post("/webhooks/viber/webhook", body, {"X-Viber-Content-Signature": signature})[0]
        == 413
    )
    assert len(stack.telegram_api.calls) + len(stack.viber_api.calls) == calls


def attachments_of(engine, sender_id):
    with Session(engine, future=True) as session:
        rows = session.execute(
            select(Attachment).where(Attachment.sender_id == sender_id).order_by(Attachment.id)
        )
        found = rows.scalars().all()
        session.expunge_all()
        return found


def test_photo_at_a_reading_prompt_is_kept_and_the_number_asked_again(stack):
    chat = 5551010
    say = lambda text: stack.tg_replies(tg_text(chat, text))  # noqa: E731
    say("Додати особовий рахунок")
    say("0100016")
    say(proof_digits_of(stack.engine, "0100016"))
    say("Так")
    assert "Лічильник 1 з" in texts(say("Передати показники"))

    stack.telegram_api.files["meter-photo"] = JPEG
    replies = texts(stack.tg_replies(tg_photo(chat, ("meter-thumb", 900), ("meter-photo", 2012))))
    assert "Фото отримали, дякуємо! Додали його до рахунку 0100016" in replies
    assert "напишіть, будь ласка, показник числом" in replies
    assert "Лічильник 1 з" in replies  # the form asks for the same meter again
    (row,) = attachments_of(stack.engine, f"telegram:{chat}")
    assert row.account_id is not None and row.meter_id is not None
    kept = stack.attachments / f"{row.token}.jpg"
    assert kept.read_bytes() == JPEG

    # A wrong file is refused by the channel; the conversation stays where it was.
    refused = texts(stack.tg_replies(tg_document(chat, "x", "a.docx", "application/msword", 99)))
    assert "Такий файл я не приймаю" in refused
    assert "скасовано" in texts(say("скасувати")).casefold()

    # «Забудь мене» deletes the file with the rest.
    assert "Видалити ваші дані?" in texts(say("видаліть мої дані"))
    assert "фото й документів: 1" in texts(say("Так, видалити"))
    assert not kept.exists() and attachments_of(stack.engine, f"telegram:{chat}") == []


def test_viber_picture_is_acknowledged_outside_any_flow(stack):
    user = "VbStack+User10/abc=="
    stack.viber_api.files["act.pdf"] = PDF
    callback = viber_file(user, stack.viber_api.media_url("act.pdf"), "act.pdf", len(PDF))
    replies = texts(stack.viber_replies(callback))
    assert "Документ отримали, дякуємо! Його переглянуть працівники" in replies
    assert [row.content_type for row in attachments_of(stack.engine, f"viber:{user}")] == [
        "application/pdf"
    ]
