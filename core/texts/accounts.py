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
FLAG_REASONS = {
    "not_me": "«Це не я»: власник не впізнав того, хто додав рахунок (його відв’язано)",
    "proof_attempts": "забагато неправильних спроб підтвердити рахунок: нові "
    "підтвердження в чаті не приймаються, доки прапорець не знято",
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
