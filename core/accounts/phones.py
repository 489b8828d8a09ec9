"""Ukrainian phone numbers as billing and the messengers write them, in one form.

Billing's file may say «050 123-45-67», «(050)1234567», «8 050 123 45 67»,
«380501234567» or «+38 (050) 123 45 67»; Telegram sends «380501234567» or
«+380501234567». All become «+380501234567»; anything else is not a Ukrainian
number and is refused (None). Numbers are personal data: never log them.
"""

from __future__ import annotations

import re
from typing import Optional

NATIONAL_DIGITS = 9  # after +380


def normalise_phone(text: Optional[str]) -> Optional[str]:
    """«+380XXXXXXXXX», or None if `text` is empty or not a Ukrainian number."""
    if not text:
        return None
    if re.search(r"[^\d\s()+\-.]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("380"):
        national = digits[3:]
    elif digits.startswith("80") and len(digits) == NATIONAL_DIGITS + 2:
        national = digits[2:]  # the old trunk prefix: «8 050 …»
    elif digits.startswith("0") and len(digits) == NATIONAL_DIGITS + 1:
        national = digits[1:]
    elif len(digits) == NATIONAL_DIGITS and not text.strip().startswith("+"):
        national = digits
    else:
        return None
    if len(national) != NATIONAL_DIGITS or national.startswith("0"):
        return None
    return f"+380{national}"
