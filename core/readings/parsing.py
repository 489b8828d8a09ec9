"""Meter readings as people type them: "1 234,5", "345 м3", "дванадцять цілих п'ять",
and the one number of a sentence: «на табло 122,5», «в мене 121 з половиною»,
«я помилився, має бути 122,5»."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal, InvalidOperation
from typing import List, Tuple

from core.text_input import clean_text

# A reading typed by a person is short, a sentence around it a little longer;
# longer text is not parsed at all.
MAX_READING_TEXT = 160
# Number-word parsing grows faster than linearly with the length: only short texts.
MAX_WORDS_TEXT = 60
# READING_NUMERIC stores 14 digits with 4 after the point.
MAX_INTEGER_DIGITS = 10
# Number words are parsed in a worker thread; past this the user is asked to type digits.
PARSE_TIMEOUT_SECONDS = 3.0

_UNIT_WORDS = re.compile(
    r"(м3|м³|m3|куб(?:ів|а|и|ометр\w*|\.?\s*м\.?)?|кубометр\w*|гкал|gcal|мвт(?:[·\s*\-]*год)?"
    r"|mwh|квт(?:[·\s*\-]*год)?|kwh|гігакалор\w*)\.?",
    re.IGNORECASE,
)
_LEAD_WORDS = re.compile(r"^(показник|показания|показання|pokaznyk)\w*[:\s]*", re.IGNORECASE)
_NUMERIC = re.compile(r"^\d+(?:\.\d+)?$")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
# A number inside a sentence: "1 234,5", "122.5", "-5"; a comma or point is a decimal
# mark only between digits («помилився, має бути 122,5» has one number).
_SENTENCE_NUMBER = re.compile(
    r"(?<![\d.,₴$€£])-?\d+(?:[ \u00a0\u202f]\d{3}(?!\d))*(?:[.,]\d+)*(?![\d])"
    r"(?P<after>\s*%|\s*[^\W\d_]+)?"
)
# «121 з половиною», «сто двадцять один і пів».
_HALF = re.compile(r"(?<![.,\d])(\d+)\s*(?:з|із|зі|і|й|та)\s+(?:половин\w*|пів)(?![^\W\d_])")
# A number followed by one of these is a date, money, a weight, a count: no reading.
_NOT_READING_AFTER = re.compile(
    r"\s*(?:%|кг|кілогр|грн|грив|коп|руб|дол|євро|відсот|рок|рік|літ|дн|числ|січ|лют|берез"
    r"|квіт|трав|черв|лип|серп|верес|жовт|листоп|груд|раз|шт|хв|годин|сек|осіб|люд)",
    re.IGNORECASE,
)


class ReadingFormatError(ValueError):
    """The text is not a reading; the message says why, in Ukrainian."""


def _number_words_to_digits(text: str) -> str:
    """ "триста сорок п'ять" -> "345" with ukrainian-itn (offline WFST grammars)."""
    from ukrainian_itn import normalize  # imported late: loads native grammars

    return normalize(text.replace("’", "'").replace("`", "'"))


def parse_reading(text: str) -> Tuple[Decimal, int]:
    """Parses a typed reading.

    Returns:
        The value as an exact Decimal and the number of decimals typed.

    Raises:
        ReadingFormatError: with the reason, ready to show to the user.
    """
    text = clean_text(text).strip()
    if len(text) > MAX_READING_TEXT:
        raise ReadingFormatError(
            "Це повідомлення задовге для показника. Введіть лише число з табло лічильника, "
            "наприклад 1234,5."
        )
    cleaned = _LEAD_WORDS.sub("", text)
    cleaned = _UNIT_WORDS.sub("", cleaned).strip()
    if _LETTERS.search(cleaned):
        cleaned = _one_number(cleaned)
    # Spaces, apostrophes and underscores group thousands; a comma is the decimal mark.
    compact = re.sub(r"[\s'_\u00a0\u202f]", "", cleaned).replace(",", ".")
    if compact.startswith("-"):
        raise ReadingFormatError("Показник не може бути від'ємним. Введіть число з лічильника.")
    if compact.count(".") > 1:
        raise ReadingFormatError(
            "У числі кілька десяткових знаків-розділювачів. Введіть показник так, як на "
            "лічильнику, наприклад 1234,5."
        )
    if not _NUMERIC.match(compact):
        raise ReadingFormatError(
            "Це не схоже на показник лічильника. Введіть лише число з табло, "
            "наприклад 1234,5 або 345."
        )
    if len(compact.split(".")[0].lstrip("0")) > MAX_INTEGER_DIGITS:
        raise ReadingFormatError(
            "У числі забагато цифр для показника лічильника. Перевірте й введіть число з табло, "
            "наприклад 1234,5."
        )
    try:
        value = Decimal(compact)
    except InvalidOperation as error:  # pragma: no cover - the regex rules it out
        raise ReadingFormatError("Не вдалося прочитати число. Спробуйте ще раз.") from error
    decimals = len(compact.split(".")[1]) if "." in compact else 0
    return value, decimals


def sentence_numbers(text: str) -> List[str]:
    """The numbers of a sentence that may be a reading, as typed («122,5»; «121 з
    половиною» as «121,5»); numbers of dates, money, weights or counts are left out.
    Number words are read only when the sentence has no digits and is short."""
    text = clean_text(text)
    found = _numbers_in(text)
    if found or _NUMERIC_CHAR.search(text) or len(text) > MAX_WORDS_TEXT:
        return found
    return _numbers_in(_number_words_to_digits(text.lower()))


_NUMERIC_CHAR = re.compile(r"\d")


def _numbers_in(text: str) -> List[str]:
    text = _HALF.sub(r"\1,5", _UNIT_WORDS.sub(" ", text))
    return [
        match.group(0)[: match.start("after") - match.start()]
        if match.group("after")
        else match.group(0)
        for match in _SENTENCE_NUMBER.finditer(text)
        if not (match.group("after") and _NOT_READING_AFTER.match(match.group("after")))
    ]


def _one_number(sentence: str) -> str:
    """The one number of a sentence around a reading; a clear refusal otherwise."""
    numbers = sentence_numbers(sentence)
    if len(numbers) > 1:
        raise ReadingFormatError(
            f"У повідомленні кілька чисел: {', '.join(f'«{n.strip()}»' for n in numbers)}. "
            "Введіть лише показник "
            "з табло лічильника, наприклад 1234,5."
        )
    if not numbers:
        raise ReadingFormatError(
            "Це не схоже на показник лічильника. Введіть лише число з табло, "
            "наприклад 1234,5 або 345."
        )
    return numbers[0].strip()


async def parse_reading_off_loop(text: str) -> Tuple[Decimal, int]:
    """`parse_reading` in a worker thread with a time limit, for the action server.

    Number-word parsing takes up to a few hundred milliseconds; on the event
    loop that would delay every other conversation.
    """
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(parse_reading, text), timeout=PARSE_TIMEOUT_SECONDS
        )
    except asyncio.TimeoutError:
        raise ReadingFormatError(
            "Не вдалося прочитати число. Введіть показник цифрами, наприклад 1234,5."
        ) from None
