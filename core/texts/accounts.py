"""Computed messages about accounts: account lists and meters with their last reading.

The sentences around them are responses in domain.yml (`utter_accounts`,
`utter_account_linked`, ...); these functions build the variable parts.
"""

from __future__ import annotations

from typing import Iterable, Optional, Tuple

from core.accounts.lookup import AccountView
from core.db.models import Meter, Reading
from core.texts.common import format_amount, format_date, meter_title

# Why an account is flagged for staff (`AccountFlag.reason`), for the staff tools.
# The reply-keyboard button that asks Telegram for the user's own number
# (channels/keyboards.py turns this payload into `request_contact`).
SHARE_PHONE_PAYLOAD = "/share_phone"
SHARE_PHONE_BUTTON = {"title": "Поділитися номером", "payload": SHARE_PHONE_PAYLOAD}
PROOF_PHONE_TEXT = (
    "Щоб ніхто сторонній не відкрив ваш рахунок, підтвердьте, що він ваш: натисніть "
    "«Поділитися номером» (підійде номер телефону, який знає абонентський відділ) або "
    "введіть останні 6 цифр заводського номера будь-якого лічильника цього рахунку."
)
PROOF_PHONE_ONLY_TEXT = (
    "Для цього рахунку було забагато неправильних спроб, тож цифри лічильника зараз "
    "не приймаються. Підтвердити рахунок можна номером телефону: натисніть «Поділитися номером»."
)
FLAG_REASONS = {
    "not_me": "«Це не я»: власник не впізнав того, хто додав рахунок (доступ новачка "
    "призупинено до вашого рішення)",
    "proof_attempts": "забагато неправильних спроб підтвердити рахунок: цифри лічильника "
    "в чаті не приймаються, доки прапорець не знято (номер телефону в Telegram — так)",
    "proof_watch": "багато неправильних спроб підтвердити рахунок за 30 днів: можливо, "
    "хтось підбирає цифри (рахунок ще приймає підтвердження)",
    "proof_after_failures": "рахунок підтверджено після неправильних спроб: перевірте, "
    "чи це власник",
}


def account_label(account: AccountView) -> str:
    """ "0100001, вул. Соборності, буд. 1, кв. **": a list line or a button title."""
    return f"{account.number}, {account.masked_address}"


def account_lines(accounts: Iterable[AccountView]) -> str:
    return "\n".join(f"• {account_label(account)}" for account in accounts)


def meter_status(meter: Meter, last: Optional[Reading]) -> str:
    """A meter and its last reading in force, or that it has none yet."""
    title = meter_title(meter.kind.value, meter.serial, meter.unit, meter.location)
    if last is None:
        return f"• {title}\n  показників ще немає"
    return (
        f"• {title}\n  останній показник: {format_amount(last.value, meter.unit)} "
        f"від {format_date(last.submitted_at.date())}"
    )


def meter_statuses(meters: Iterable[Tuple[Meter, Optional[Reading]]]) -> str:
    return "\n".join(meter_status(meter, last) for meter, last in meters)
