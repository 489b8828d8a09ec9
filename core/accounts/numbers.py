"""Account numbers as people type them, and addresses as we may show them."""

from __future__ import annotations

import re
from typing import Optional

from core.text_input import clean_text

ACCOUNT_MIN_DIGITS = 6
ACCOUNT_MAX_DIGITS = 10

_SEPARATORS = re.compile(r"[\s\-–—_./]+")
_NUMBER_IN_TEXT = re.compile(r"(?<!\d)\d(?:[\d\s\-]{4,14}\d)(?!\d)")


class AccountNumberError(ValueError):
    """The text is not an account number; the message says why, in Ukrainian."""


def normalise_account_number(text: str) -> str:
    """Turns "12 34 567", "12-34-567" or "№0012345" into digits, keeping leading zeros.

    Raises:
        AccountNumberError: with the reason, ready to show to the user.
    """
    cleaned = clean_text(text).strip().lower()
    # NFKC turns "№" into "No".
    for prefix in ("особовий рахунок", "рахунок", "лицевой счет", "счет", "о/р", "№", "no", "n"):
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :].strip(" :")
    digits = _SEPARATORS.sub("", cleaned)
    if not digits:
        raise AccountNumberError("Я не бачу номера. Введіть номер особового рахунку цифрами.")
    if not digits.isdigit():
        raise AccountNumberError(
            "Номер особового рахунку складається лише з цифр. "
            "Перевірте, будь ласка, і введіть його ще раз."
        )
    if not ACCOUNT_MIN_DIGITS <= len(digits) <= ACCOUNT_MAX_DIGITS:
        raise AccountNumberError(
            f"У номері {len(digits)} цифр, а номер особового рахунку має від "
            f"{ACCOUNT_MIN_DIGITS} до {ACCOUNT_MAX_DIGITS} цифр. "
            "Його видно на платіжці вгорі."
        )
    return digits


def find_account_number(text: str) -> Optional[str]:
    """An account number inside a longer phrase ("додай рахунок 0012345"), if any."""
    for match in _NUMBER_IN_TEXT.finditer(clean_text(text)):
        try:
            return normalise_account_number(match.group(0))
        except AccountNumberError:
            continue
    return None


def masked_address(street: str, house: str, apartment: str) -> str:
    """Street and house in full, apartment hidden: enough to recognise, not to harvest."""
    address = f"{street}, буд. {house}"
    if apartment:
        # Always three stars: the mask must not tell how long the number is.
        address += ", кв. ***"
    return address
