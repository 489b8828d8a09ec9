"""What consumers are told about the photos and documents they send, and the
lines staff see about them."""

from __future__ import annotations

from typing import List, Optional

from core.attachments import Refusal, max_bytes
from core.repository.attachments import AttachmentRow
from core.settings import KYIV
from core.texts.common import format_period
from core.texts.labels import channel_label

KIND_WORDS = {"application/pdf": "Документ"}
TYPES_TAKEN = "фото (JPEG, PNG, WebP, HEIC) або документ PDF"


def refusal_text(reason: Refusal) -> str:
    if reason == Refusal.TOO_BIG:
        megabytes = max_bytes() // (1024 * 1024)
        return (
            f"Файл завеликий: я приймаю файли до {megabytes} МБ. Надішліть, будь ласка, "
            "фото меншого розміру або стисніть документ."
        )
    if reason == Refusal.WRONG_TYPE:
        return (
            f"Такий файл я не приймаю. Надішліть, будь ласка, {TYPES_TAKEN}. "
            "А показник лічильника напишіть числом, як на табло (наприклад, 1234,5)."
        )
    if reason == Refusal.DAILY_LIMIT:
        return (
            "Сьогодні ви вже надіслали багато файлів, більше я не прийму до завтра. "
            "Показник лічильника можна написати числом, як на табло (наприклад, 1234,5), "
            "а документи — надіслати завтра."
        )
    return "Не вдалося отримати файл від месенджера. Спробуйте надіслати його ще раз трохи згодом."


def received_text(content_type: str, account_number: Optional[str], at_reading_prompt: bool) -> str:
    """«Фото отримали, дякуємо…», with where it went and what to do next."""
    what = KIND_WORDS.get(content_type, "Фото")
    where = (
        f" Додали його до рахунку {account_number}, його переглянуть працівники "
        "абонентського відділу."
        if account_number
        else " Його переглянуть працівники абонентського відділу."
    )
    if at_reading_prompt:
        return (
            f"{what} отримали, дякуємо!{where} Розпізнавати цифри з фото я поки не вмію, "
            "тож напишіть, будь ласка, показник числом."
        )
    return f"{what} отримали, дякуємо!{where}"


NOT_YOURS = "Файлу я не отримав. Надішліть, будь ласка, фото чи документ PDF просто сюди, у чат."


TYPE_LABELS = {
    "image/jpeg": "фото JPEG",
    "image/png": "фото PNG",
    "image/webp": "фото WebP",
    "image/heic": "фото HEIC",
    "application/pdf": "PDF",
}


def size_label(size: int) -> str:
    """ "830 КБ", "2,4 МБ"."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} КБ"
    return f"{size / (1024 * 1024):.1f} МБ".replace(".", ",")


def attachment_cells(row: AttachmentRow) -> List[str]:
    """One line of the staff list (no sender id: staff see the account instead)."""
    attachment = row.attachment
    return [
        str(attachment.id),
        f"{attachment.received_at.astimezone(KYIV):%d.%m.%Y %H:%M}",
        channel_label(attachment.channel),
        row.account_number or "—",
        row.meter_serial or "—",
        format_period(attachment.period) if attachment.period else "—",
        TYPE_LABELS.get(attachment.content_type, attachment.content_type),
        size_label(attachment.size_bytes),
    ]
