"""What the consumer reads about cases («звернення»)."""

from __future__ import annotations

from datetime import datetime

from core.texts.common import format_date, format_time

OFFER_TITLE = "Написати працівнику"
RETURN_TITLE = "Повернутися до бота"
# The button's payload; the channels open the case before the assistant sees it.
OFFER_COMMAND = "/request_clerk"
RETURN_WORDS = ("повернутися до бота", "повернутись до бота", "скасувати", "/cancel", "/return")


def offer_payload(reason: str) -> str:
    return OFFER_COMMAND + '{"reason":"' + reason + '"}'


def offer_button(reason: str) -> dict:
    return {"title": OFFER_TITLE, "payload": offer_payload(reason)}


def opened_text(case_id: int, open_now: bool, opening: datetime) -> str:
    when = (
        "Працівник відповість тут, у цьому чаті, щойно прочитає."
        if open_now
        else "Зараз неробочий час: працівник відповість "
        f"{format_date(opening.date())} після {format_time(opening)}, тут, у цьому чаті."
    )
    return (
        f"Звернення №{case_id} відкрито. Напишіть, будь ласка, що сталося (можна додати фото). "
        f"{when} Щоб повернутися до бота, напишіть «повернутися до бота»."
    )


def already_open_text(case_id: int) -> str:
    return (
        f"Ваше звернення №{case_id} вже відкрите: напишіть, що хочете додати. "
        "Щоб повернутися до бота, напишіть «повернутися до бота»."
    )


def received_text() -> str:
    return "Передав працівнику. Відповідь прийде сюди, у цей чат."


def left_text(case_id: int) -> str:
    return (
        f"Звернення №{case_id} закрито, ви знову спілкуєтеся з ботом. "
        "Напишіть «меню», щоб побачити, що я вмію."
    )


def clerk_reply_text(text: str) -> str:
    return f"Відповідь працівника:\n{text}"


def closed_text(case_id: int, reason: str) -> str:
    why = f" ({reason})" if reason else ""
    return (
        f"Працівник закрив звернення №{case_id}{why}. Дякуємо! Далі з вами знову бот: "
        "напишіть «меню», щоб побачити, що я вмію."
    )
