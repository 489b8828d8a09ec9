"""What the assistant says when it writes first: reminders and the replies about them."""

from __future__ import annotations

from datetime import date, datetime
from typing import List, Optional, Tuple

from core.texts.common import MONTHS_GENITIVE, format_period

REMINDER_BUTTONS = [
    {"title": "Передати показники", "payload": "/submit_reading"},
    {"title": "Не нагадувати", "payload": "/reminders_off"},
]

# (account number, [(meter kind, location)]) still without a reading this period.
DueAccount = Tuple[str, List[Tuple[str, str]]]


def day_month(day: date) -> str:
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"


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
