"""What the assistant says when it writes first: reminders and the replies about them."""

from __future__ import annotations

from datetime import date, datetime
from typing import List, Optional, Tuple

from babel import dates

from core.texts.common import LOCALE, format_period
from core.texts.labels import channel_label

REMINDER_BUTTONS = [
    {"title": "Передати показники", "payload": "/submit_reading"},
    {"title": "Не нагадувати", "payload": "/reminders_off"},
]

# (account number, [(meter kind, location)]) still without a reading this period.
DueAccount = Tuple[str, List[Tuple[str, str]]]


def day_month(day: date) -> str:
    """ "20 листопада"."""
    return dates.format_date(day, "d MMMM", locale=LOCALE)


def moment(at: datetime) -> str:
    return f"{day_month(at.date())} о {at:%H:%M}"


def reminder_head(period: str, last: date, days_before: int) -> str:
    """The reminder up to the list of what is due (one line per account follows)."""
    if days_before == 0:
        head = (
            f"Сьогодні, {day_month(last)}, останній день, щоб передати показники "
            f"за {format_period(period)}."
        )
    else:
        head = (
            f"Нагадуємо: показники за {format_period(period)} приймаються "
            f"до {day_month(last)} включно."
        )
    return head + "\n\nЩе не передано:\n"


# Each account line: "• о/р 0100004: тепло, гаряча вода (кухня)".
ACCOUNT_LINE_PREFIX = "• о/р "
ACCOUNT_LINE_SEPARATOR = ": "


def reminders_on_text(next_at: Optional[datetime], has_accounts: bool) -> str:
    if not has_accounts:
        return (
            "Добре, нагадування увімкнено. Вони приходять тим, хто додав особовий рахунок: "
            "додайте свій, і я нагадаю, якщо показники ще не будуть передані."
        )
    if next_at is None:
        return "Добре, нагадуватиму про передачу показників."
    return (
        f"Добре, нагадуватиму про передачу показників. Наступне нагадування — "
        f"{moment(next_at)}, якщо на той час показники ще не будуть передані."
    )


REMINDERS_NO_METERS_TEXT = (
    "Добре, нагадування увімкнено. Але на ваших рахунках немає лічильників, тож "
    "показники передавати не потрібно і нагадувати поки нема про що."
)
REMINDERS_OFF_TEXT = (
    "Добре, нагадувань більше не надсилатиму. Увімкнути їх можна будь-коли: напишіть «нагадуй»."
)


# Staff reports: the outbox's kinds and statuses in Ukrainian.
OUTBOX_KIND_LABELS = {
    "reminder": "нагадування",
    "notice": "сповіщення власникам",
    "receipt": "підтвердження",
    "broadcast": "розсилки",
}
OUTBOX_STATUS_LABELS = {
    "pending": "в черзі",
    "sending": "надсилається",
    "sent": "надіслано",
    "failed": "помилка",
    "blocked": "заблоковано",
    "cancelled": "скасовано",
}


def link_notice_text(account_number: str, channel: str, at: datetime) -> str:
    return (
        f"До особового рахунку {account_number} додав доступ ще один користувач "
        f"{channel_label(channel)} ({moment(at)}). Якщо це ви або ваші "
        "близькі, нічого робити не потрібно. Якщо ні, натисніть «Це не я» (протягом 7 днів): "
        "доступ цього користувача буде призупинено, доки абонентський відділ не перевірить рахунок."
    )


def not_me_button(token: str) -> dict:
    return {"title": "Це не я", "payload": f'/not_me{{"link_ref":"{token}"}}'}


def receipt_text(account_number: str, period: str, channel: str, at: datetime) -> str:
    return (
        f"За рахунком {account_number} передано показники за {format_period(period)} "
        f"({moment(at)}, через {channel_label(channel)}). Якщо це не ви й не "
        "ваші близькі, зверніться до абонентського відділу."
    )


RECEIPTS_OFF_BUTTON = {"title": "Не надсилати підтверджень", "payload": "/receipts_off"}
RECEIPTS_OFF_TEXT = (
    "Добре, підтверджень про показники, передані іншими користувачами, більше не надсилатиму."
)


def disowned_text(account_number: str, already: bool) -> str:
    if already:
        return (
            f"Ви вже повідомили про цього користувача рахунку {account_number}: "
            "абонентський відділ перевіряє рахунок."
        )
    return (
        f"Дякуємо. Доступ цього користувача до рахунку {account_number} призупинено: "
        "він не бачить рахунку й не може передавати показники, доки абонентський відділ "
        "не перевірить рахунок і не ухвалить рішення."
    )


NOT_ME_EXPIRED_TEXT = (
    "Кнопка «Це не я» діє 7 днів, і цей строк минув. Якщо хтось сторонній має доступ "
    "до вашого рахунку, зверніться до абонентського відділу."
)
NOT_ME_NOT_HOLDER_TEXT = (
    "Цю кнопку може натиснути лише той, хто підтвердив рахунок раніше за нового "
    "користувача й досі має до нього доступ. Якщо хтось сторонній має доступ до "
    "рахунку, зверніться до абонентського відділу."
)
NOT_ME_GONE_TEXT = "Цей користувач уже не має доступу до рахунку. Нічого робити не потрібно."
LINK_SUSPENDED_TEXT = (
    "Доступ до цього рахунку призупинено: абонентський відділ перевіряє, хто ним "
    "користується. Якщо рахунок ваш, зверніться, будь ласка, до абонентського відділу."
)


NOT_ME_UNKNOWN_TEXT = (
    "Не вдалося знайти це сповіщення. Якщо хтось сторонній має доступ до вашого рахунку, "
    "зверніться до абонентського відділу."
)
LINK_BARRED_TEXT = (
    "Цей рахунок не можна додати: його власник повідомив, що не додавав вас. "
    "Якщо це помилка, зверніться до абонентського відділу."
)
