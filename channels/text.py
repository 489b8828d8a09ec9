"""Message texts the channels say themselves, in Ukrainian, and long-text splitting."""

from __future__ import annotations

from typing import Callable, List

# What the assistant does understand, appended to every "I can't read that".
UNDERSTANDS = (
    "Я розумію текстові повідомлення та кнопки: напишіть, наприклад, «передати показники», "
    "а показник лічильника — цифрами, як на табло (наприклад, 1234,5)."
)
NON_TEXT = {
    "video": "Відео я, на жаль, не переглядаю.",
    "sticker": "Дякую за стікер!",
    "voice": "Голосові повідомлення я, на жаль, не прослуховую.",
    "audio": "Аудіо я, на жаль, не прослуховую.",
    "contact": "Номер телефону мені не потрібен: достатньо номера особового рахунку.",
    "location": "Геолокація мені не потрібна: достатньо номера особового рахунку.",
}
UNKNOWN_KIND = "Таке повідомлення я не можу обробити."
# At the ownership proof (core/accounts/ownership.py).
CONTACT_NOT_OWN = (
    "Це не ваш власний контакт, тож рахунок він не підтверджує. Натисніть кнопку "
    "«Поділитися номером» під полем вводу або введіть останні 6 цифр заводського "
    "номера лічильника."
)
SHARE_PHONE_TYPED = (
    "Щоб поділитися номером, натисніть кнопку «Поділитися номером» під полем вводу й "
    "підтвердьте надсилання. Або введіть останні 6 цифр заводського номера лічильника."
)
VIBER_PHONE_NO_PROOF = (
    "У Viber номер телефону не підтверджує рахунок: Viber не показує, чи це ваш власний "
    "номер. Введіть, будь ласка, останні 6 цифр заводського номера будь-якого лічильника "
    "цього рахунку (номер надруковано на самому лічильнику)."
)
VIBER_PHONE_EMPTY = (
    "Viber на комп'ютері не надсилає номер телефону. Введіть, будь ласка, останні 6 цифр "
    "заводського номера будь-якого лічильника цього рахунку."
)
TRY_AGAIN = (
    "Вибачте, сталася технічна помилка і я не зміг обробити ваше повідомлення. "
    "Спробуйте ще раз, будь ласка, трохи згодом."
)
TOO_LONG = (
    "Повідомлення задовге, я його не читатиму. Напишіть коротко, що потрібно, "
    "наприклад «передати показники», або надішліть показник лічильника числом."
)
EDITED = "Змінене повідомлення я не бачу. Надішліть, будь ласка, новим повідомленням."
WELCOME_FALLBACK = "Вітаю! Я чат-бот «Полтаватеплоенерго». Оберіть дію:"


def non_text_answer(kind: str) -> str:
    """A polite answer to a message the assistant cannot read, saying what it can."""
    return f"{NON_TEXT.get(kind, UNKNOWN_KIND)} {UNDERSTANDS}"


def utf16_units(char: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return 2 if ord(char) > 0xFFFF else 1


def _fits(text: str, limit: int, size: Callable[[str], int]) -> int:
    """How many leading characters of `text` fit in `limit`."""
    used = 0
    for index, char in enumerate(text):
        used += size(char)
        if used > limit:
            return index
    return len(text)


def _cut_at(prefix: str) -> int:
    # Prefer a paragraph, then a line, then a word boundary in the second half
    # of the chunk, so that no chunk is a stub.
    for separator in ("\n\n", "\n", " "):
        position = prefix.rfind(separator)
        if position > len(prefix) // 2:
            return position
    return len(prefix)


def split_text(text: str, limit: int, size: Callable[[str], int] = lambda _c: 1) -> List[str]:
    """Splits `text` into chunks of at most `limit` units, on natural boundaries."""
    rest, chunks = text.strip(), []
    while rest:
        fit = max(1, _fits(rest, limit, size))
        if fit == len(rest):
            chunks.append(rest)
            break
        cut = fit if rest[fit].isspace() else _cut_at(rest[:fit])
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [chunk for chunk in chunks if chunk]
