"""Comparing phrases and keeping account numbers and readings out of training data."""

from __future__ import annotations

import re
import unicodedata
from typing import AbstractSet

from core.text_input import clean_text

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})
# A number as people type it: "0100004", "01-00-004", "12 34 567", "1 234,5", "96.45".
_NUMBER = re.compile(r"[0-9]+(?:[ \u00a0\u202f./,-][0-9]+)*")
# The digits that replace real ones, in order (see mask_numbers).
_SEQUENCE = "1234567890"
# Rasa reads "[text](entity)" and "[text]{...}" in examples as entity annotations.
_BRACKETS = str.maketrans("[]{}", "()()")


def normalize(text: str) -> str:
    """The form two phrases share when they differ only in case, punctuation or spaces.

    Apostrophe variants count as one ("прив’язати" = "прив'язати"); emoji and
    other symbols count as punctuation.
    """
    lowered = text.translate(_APOSTROPHES).casefold()
    kept = "".join(c if c == "'" or unicodedata.category(c)[0] in "LN" else " " for c in lowered)
    words = (word.strip("'") for word in kept.split())
    return " ".join(word for word in words if word)


def mask_numbers(text: str) -> str:
    """Replaces the digits of every number with 1, 2, 3, ... keeping its shape.

    "рахунок 0473385" -> "рахунок 0123456", "1 867,3 м3" -> "1 234,5 м3".
    Leading zeros, separators and length stay, so the phrase still looks like
    what consumers type (the tokenizer and the character n-grams see a
    realistic number), while no real account number or reading is kept.
    Masking a masked phrase changes nothing.
    """

    def replace(match: re.Match) -> str:
        start = match.start()
        if len(match.group()) == 1 and start and match.string[start - 1].isalpha():
            return match.group()  # a unit's exponent ("м3", "m3"), not a number
        out, position, leading = [], 0, True
        for char in match.group():
            if not char.isdigit():
                out.append(char)
            elif leading and char == "0":
                out.append("0")
            else:
                leading = False
                out.append(_SEQUENCE[position % len(_SEQUENCE)])
                position += 1
        return "".join(out)

    return _NUMBER.sub(replace, text)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "+380 50 123 45 67", "(050) 123-45-67", "050 123 4567": phone numbers as typed.
_PHONE = re.compile(r"(?:\+\s*\d[\d\s()\-]{7,}\d|\(\d{3}\)\s*[\d\s\-]{5,}\d)")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit (after NFKC, "١٢" -> "12")."""
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text
    )


def mask_personal(text: str, private_words: AbstractSet[str] = frozenset()) -> str:
    """E-mails, phone numbers and the given words (owners' names, street names,
    compared case-insensitively) replaced by neutral placeholders."""
    text = _EMAIL.sub("email@example.com", text)
    text = _PHONE.sub("+380 12 345 67 89", text)
    if private_words:
        text = _WORD.sub(
            lambda m: "Х" * 3 if m.group().casefold() in private_words else m.group(), text
        )
    return text


def has_letters(text: str) -> bool:
    return any(unicodedata.category(c)[0] == "L" for c in text)


def clean_phrase(text: str, private_words: AbstractSet[str] = frozenset()) -> str:
    """A phrase fit for one line of an `examples: |` block: Unicode folded,
    nothing invisible, personal data and the digits of every number masked."""
    folded = ascii_digits(clean_text(text))
    masked = mask_personal(folded, private_words)
    return mask_numbers(" ".join(masked.translate(_BRACKETS).split()))
