"""The inbox: messages the assistant did not understand, grouped for staff review."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import AbstractSet, Dict, Iterable, List, Tuple

from core.settings import KYIV
from retrain import review_csv
from retrain.text import clean_phrase, has_letters, normalize
from retrain.trackerdb import UserMessage

DEFAULT_THRESHOLD = 0.7
HEADER = [
    review_csv.PHRASE,
    "Разів",
    "Користувачів",
    "Розпізнано як",
    "Впевненість",
    "Відповідь асистента",
    "Останній раз",
    review_csv.LABEL,
]


@dataclass(frozen=True)
class InboxEntry:
    """One distinct phrase (case, punctuation, spaces and numbers aside)."""

    phrase: str  # the commonest spelling, numbers masked
    count: int
    senders: int
    intent: str  # the commonest guess of the NLU
    confidence: float  # mean over the messages
    fallbacks: int  # how many of them got "I did not understand"
    last_seen: datetime


def is_misunderstood(message: UserMessage, threshold: float) -> bool:
    """The fallback fired, or the NLU was less sure than `threshold`.

    Button payloads ("/affirm") and messages without letters (account numbers
    and readings typed into a form) say nothing about the wording people use.
    """
    if message.text.lstrip().startswith("/") or not has_letters(message.text):
        return False
    return message.fallback or message.confidence < threshold


def build_inbox(
    messages: Iterable[UserMessage],
    threshold: float,
    private_words: AbstractSet[str] = frozenset(),
) -> List[InboxEntry]:
    """Groups the misunderstood messages; the most frequent first.

    `private_words` (owners' names, street names, casefolded) are masked too.
    """
    groups: Dict[str, List[Tuple[str, UserMessage]]] = defaultdict(list)
    for message in messages:
        if not is_misunderstood(message, threshold):
            continue
        # Masked before grouping: "рахунок 0100004" and "рахунок 0100002" are one
        # wording, and no real number reaches the review file.
        phrase = clean_phrase(message.text, private_words)
        key = normalize(phrase)
        if key:
            groups[key].append((phrase, message))
    entries = [_entry(members) for members in groups.values()]
    entries.sort(key=lambda e: (-e.count, -e.senders, e.phrase.casefold()))
    return entries


def _entry(members: List[Tuple[str, UserMessage]]) -> InboxEntry:
    messages = [message for _, message in members]
    return InboxEntry(
        phrase=Counter(phrase for phrase, _ in members).most_common(1)[0][0],
        count=len(messages),
        senders=len({m.sender_id for m in messages}),
        intent=Counter(m.intent for m in messages).most_common(1)[0][0],
        confidence=sum(m.confidence for m in messages) / len(messages),
        fallbacks=sum(m.fallback for m in messages),
        last_seen=datetime.fromtimestamp(max(m.timestamp for m in messages), KYIV),
    )


def write_review_file(path: Path, entries: List[InboxEntry]) -> None:
    rows = [
        [
            e.phrase,
            str(e.count),
            str(e.senders),
            e.intent,
            f"{e.confidence:.2f}".replace(".", ","),  # decimal comma: a number for Ukrainian Excel
            "не зрозумів" if e.fallbacks * 2 >= e.count else "невпевнено",
            e.last_seen.strftime("%d.%m.%Y"),
            "",
        ]
        for e in entries
    ]
    review_csv.write_rows(path, HEADER, rows)


def day_range(first: date, last: date) -> Tuple[datetime, datetime]:
    """From the start of `first` to the end of `last`, Kyiv time."""
    return (
        datetime.combine(first, time(), KYIV),
        datetime.combine(last + timedelta(days=1), time(), KYIV),
    )
