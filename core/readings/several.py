"""Several readings in one message: «тепло 13,1, кухня 130,5, ванна 90».

Pure matching, no database and no conversation: the text and the form's
meters in, which typed number goes to which meter out. Each number is then
checked by the caller exactly like one typed alone (`core.readings.parsing`,
`core.readings.checks`).

A number finds its meter by what is written next to it: the kind («тепло»,
«опалення», «гаряча», «ГВП»), the place where the meter's `location` has it
(«кухня», «ванна»), the serial's last digits («лічильник 55001 — 13,1»,
«№ 55001: 13,1»), the prompt's position («лічильник 2 — 90») or a unit
(«м³» is water, «Гкал» heat). Numbers without such a word go to the meters
still open, in order, when their count leaves no doubt. Whatever is left in
doubt is reported as unplaced and the form asks for it.

Ukrainian uses the decimal comma, so «13,1, 130,5» is two numbers: a comma
followed by a digit is a decimal mark, a comma followed by a space separates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set

from core.readings.checks import MeterFacts
from core.readings.parsing import sentence_numbers
from core.text_input import clean_text

# A message naming several readings is still short; longer ones are not matched.
MAX_SEVERAL_TEXT = 300
MAX_VALUES = 12

# Numbers: "1 234,5" (groups of three after a space), "13,1", "130.5", "0090".
_TOKEN = re.compile(
    r"(?P<number>\d+(?:[ \u00a0\u202f]\d{3}(?!\d))*(?:[.,]\d+)?)"
    r"|(?P<unit>(?:м3|m3|гкал|gcal|kwh|mwh|квт|мвт|куб\w*)(?:[·*\s-]*год\w*)?(?![^\W\d_])\.?)"
    r"|(?P<word>[^\W\d_]+(?:['’`ʼ][^\W\d_]+)*\.?)"
    r"|(?P<sign>№)"
    r"|(?P<link>[:=—–]|-(?=\s*\d)|\s-\s)"
    r"|(?P<separator>[;,/\n+]|\s(?:і|й|и|та|а|також)\s)",
    re.IGNORECASE,
)
_CONJUNCTIONS = {"і", "й", "и", "та", "а", "також"}

# Word beginnings that name a kind of meter (Ukrainian, Russian, surzhyk).
_KIND_STEMS = {
    "heat": ("тепл", "опал", "отоп"),
    "hot_water": ("гаряч", "горяч", "гвп", "вод"),
}
_WATER_SHORT = {"гв", "гар", "гвс"}
# Places a meter's location may name, and the words people use for them.
_PLACE_SYNONYMS = {"санвуз": "ван", "туалет": "ван", "душ": "ван", "ванн": "ван"}
_PLACE_PREFIX = 3
# Words after which a number names the meter, not its reading.
_SERIAL_LEAD_STEMS = ("лічильн", "лічільн", "счетч", "счётч", "щотч", "номер")
_SERIAL_LEAD_WORDS = {"ном", "n", "no", "сч"}
_MIN_SERIAL_DIGITS = 3
_UNIT_KINDS = {
    "м3": "hot_water",
    "m3": "hot_water",
    "куб": "hot_water",
    "гкал": "heat",
    "gcal": "heat",
    "квт": "heat",
    "kwh": "heat",
    "мвт": "heat",
    "mwh": "heat",
}


@dataclass
class _Value:
    text: str
    unit_kind: Optional[str] = None


@dataclass
class _Group:
    """Numbers written under the same words (labels), in order."""

    labels: List[Set[int]] = field(default_factory=list)
    values: List[_Value] = field(default_factory=list)

    def candidates(self, meters: Sequence[MeterFacts]) -> Optional[List[int]]:
        """The meters the labels name together (in form order), None without labels."""
        if not self.labels:
            return None
        chosen = set.intersection(*self.labels) or self.labels[-1]
        return [m.meter_id for m in meters if m.meter_id in chosen]


@dataclass(frozen=True)
class Several:
    """What a message with several readings says.

    Attributes:
        values: meter id -> the number as typed, for the meters it surely names.
        unplaced: numbers whose meter is in doubt (the form asks for those meters).
    """

    values: Dict[int, str]
    unplaced: List[str]


def read_several(
    text: str, meters: Sequence[MeterFacts], open_ids: Sequence[int], labeled_only: bool = False
) -> Optional[Several]:
    """Matches the numbers of `text` to `meters`; None when the text is not several
    readings (no number, or a single number with nothing naming its meter).

    Args:
        meters: the form's meters, in the order the form asks them.
        open_ids: meters not filled yet, in that order; unlabeled numbers go to them.
        labeled_only: take only numbers a word ties to a meter and ignore the rest
            (a message that was not an answer to a prompt: «хочу передати: тепло
            13,1» names its readings; «замість 345 написав 435» does not).
    """
    if not meters or len(text) > MAX_SEVERAL_TEXT:
        return None
    groups = _groups(_tokens(text), meters)
    if labeled_only:
        groups = [g for g in groups if g.labels or any(v.unit_kind for v in g.values)]
    values = [value for group in groups for value in group.values]
    labeled = any(group.labels for group in groups)
    if not values or len(values) > MAX_VALUES or (len(values) == 1 and not labeled):
        return None
    several = _assign(groups, meters, open_ids)
    return several if several.values or not labeled_only else None


def lone_reading(
    text: str, meters: Sequence[MeterFacts], exclude: Sequence[str] = ()
) -> Optional[Several]:
    """The one number of a sentence as the reading of a one-meter form («хочу
    передати 122,5», «я помилився, має бути 122,5»); None with two numbers or none.

    Args:
        exclude: numbers that are no reading (the account number typed with it).
    """
    if len(meters) != 1 or not text:
        return None
    skip = {re.sub(r"\D", "", number) for number in exclude}
    numbers = [n for n in sentence_numbers(text) if re.sub(r"\D", "", n) not in skip]
    return Several({meters[0].meter_id: numbers[0].strip()}, []) if len(numbers) == 1 else None


def meter_named(text: str, meters: Sequence[MeterFacts]) -> Optional[int]:
    """The one meter a short answer names («кухня», «тепло», «55001», «2»), or None."""
    named: List[Set[int]] = []
    tokens = _tokens(text)
    for index, (kind, value) in enumerate(tokens):
        if kind == "word":
            words = _named_by_word(value, meters)
            if words:
                named.append(words)
        elif kind == "unit":
            unit = _unit_kind(value)
            if unit:
                named.append({m.meter_id for m in meters if m.kind == unit})
        elif kind == "number":
            numbers = _named_by_number(tokens, index, value, meters, after_lead=True)
            if numbers:
                named.append(numbers)
    if not named:
        return None
    chosen = set.intersection(*named)
    return next(iter(chosen)) if len(chosen) == 1 else None


# --- reading the text ---------------------------------------------------------------


def _tokens(text: str) -> List[tuple]:
    prepared = clean_text(text.replace("\n", " ; ")).lower()
    tokens: List[tuple] = []
    for match in _TOKEN.finditer(prepared):
        kind = match.lastgroup
        value = match.group(kind).strip()
        if kind == "word":
            value = value.rstrip(".")
            if value in _CONJUNCTIONS:
                kind = "separator"
            elif value.startswith(_SERIAL_LEAD_STEMS) or value in _SERIAL_LEAD_WORDS:
                kind = "lead"
        if kind == "number" and tokens and tokens[-1][0] in ("lead", "sign") and " " in value:
            # «лічильник 55001 130,5»: the serial, then the reading, not one grouped number.
            serial, rest = value.split(maxsplit=1)
            tokens += [("number", serial), ("number", rest)]
            continue
        tokens.append((kind, value))
    return tokens


def _groups(tokens: List[tuple], meters: Sequence[MeterFacts]) -> List[_Group]:
    """Chunks between separators, split where a label after a number starts the next
    reading («тепло 13,1 кухня 130,5»); a label after the last number of a chunk
    belongs to it («13,1 тепло»)."""
    groups: List[_Group] = []
    current = _Group()
    serial_lead = False
    for index, (kind, value) in enumerate(tokens):
        if kind == "separator":
            groups.append(current)
            current, serial_lead = _Group(), False
            continue
        if kind in ("sign", "lead"):
            serial_lead = True
            continue
        if kind == "unit":
            unit = _unit_kind(value)
            if unit and current.values and current.values[-1].unit_kind is None:
                current.values[-1].unit_kind = unit
            elif unit:
                current.labels.append({m.meter_id for m in meters if m.kind == unit})
            continue
        if kind == "word":
            named = _named_by_word(value, meters)
            if named:
                if current.values and _number_follows(tokens, index):
                    groups.append(current)
                    current = _Group()
                current.labels.append(named)
            continue
        if kind == "number":
            ref = _named_by_number(tokens, index, value, meters, serial_lead)
            serial_lead = False
            if ref:
                if current.values:
                    groups.append(current)
                    current = _Group()
                current.labels.append(ref)
            else:
                current.values.append(_Value(value))
    groups.append(current)
    return _joined([g for g in groups if g.values or g.labels], meters)


def _joined(groups: List[_Group], meters: Sequence[MeterFacts]) -> List[_Group]:
    """Labels alone join the numbers before them («13,1 — тепло»); numbers alone
    continue the group before them while it names more meters than it has numbers
    («гаряча 130,5 і 90» for the kitchen and the bathroom)."""
    joined: List[_Group] = []
    for group in groups:
        previous = joined[-1] if joined else None
        if not group.values and previous is not None and not previous.labels:
            previous.labels.extend(group.labels)
            continue
        if (
            not group.labels
            and previous is not None
            and previous.labels
            and previous.values
            and len(previous.values) < len(previous.candidates(meters) or [])
        ):
            previous.values.extend(group.values)
            continue
        if group.values:
            joined.append(group)
    return joined


def _number_follows(tokens: List[tuple], index: int) -> bool:
    """Whether a number comes after token `index` before the next separator."""
    for kind, _ in tokens[index + 1 :]:
        if kind == "separator":
            return False
        if kind == "number":
            return True
    return False


def _unit_kind(word: str) -> Optional[str]:
    return next((kind for stem, kind in _UNIT_KINDS.items() if word.startswith(stem)), None)


def _named_by_word(word: str, meters: Sequence[MeterFacts]) -> Set[int]:
    """Meters a word names by kind or place."""
    kinds = {
        kind
        for kind, stems in _KIND_STEMS.items()
        if word.startswith(stems) or (kind == "hot_water" and word in _WATER_SHORT)
    }
    if kinds:
        return {m.meter_id for m in meters if m.kind in kinds}
    place = _place_stem(word)
    if len(place) < _PLACE_PREFIX:
        return set()
    return {
        m.meter_id
        for m in meters
        if any(_place_stem(part).startswith(place) for part in m.location.lower().split())
    }


def _place_stem(word: str) -> str:
    for synonym, stem in _PLACE_SYNONYMS.items():
        if word.startswith(synonym):
            return stem
    return word[:_PLACE_PREFIX] if len(word) >= 4 else ""


def _named_by_number(
    tokens: List[tuple], index: int, number: str, meters: Sequence[MeterFacts], after_lead: bool
) -> Set[int]:
    """Meters a number names instead of being a reading: the serial's last digits
    after «лічильник», «№» or before a dash or colon; after «лічильник», also the
    position the form asks it at («лічильник 2»)."""
    if not number.isdigit():
        return set()
    linked = _links_to_number(tokens, index)
    if not (after_lead or linked):
        return set()
    if len(number) >= _MIN_SERIAL_DIGITS:
        by_serial = {m.meter_id for m in meters if m.serial.endswith(number)}
        if by_serial:
            return by_serial
    if after_lead and len(number) <= 2 and 1 <= int(number) <= len(meters):
        return {meters[int(number) - 1].meter_id}
    return set()


def _links_to_number(tokens: List[tuple], index: int) -> bool:
    """«55001 — 13,1», «55001: 13,1»."""
    following = tokens[index + 1 : index + 3]
    return len(following) == 2 and following[0][0] == "link" and following[1][0] == "number"


# --- matching -----------------------------------------------------------------------


def _assign(groups: List[_Group], meters: Sequence[MeterFacts], open_ids: Sequence[int]) -> Several:
    values: Dict[int, str] = {}
    unplaced: List[str] = []
    unlabeled: List[_Value] = []
    by_kind = {kind: [m.meter_id for m in meters if m.kind == kind] for kind in _KIND_STEMS}
    for group in groups:
        candidates = group.candidates(meters)
        if candidates is None:
            # A unit alone names the kind: «345 м3».
            for value in group.values:
                if value.unit_kind:
                    _place(values, unplaced, [value], by_kind[value.unit_kind], open_ids)
                else:
                    unlabeled.append(value)
            continue
        _place(values, unplaced, group.values, candidates, open_ids)
    if unlabeled:
        remaining = [m for m in open_ids if m not in values]
        if len(unlabeled) == len(remaining) or (
            not values and not unplaced and len(unlabeled) < len(remaining)
        ):
            for meter_id, value in zip(remaining, unlabeled):
                values[meter_id] = value.text
        else:
            unplaced.extend(value.text for value in unlabeled)
    return Several(values=values, unplaced=unplaced)


def _place(
    values: Dict[int, str],
    unplaced: List[str],
    typed: List[_Value],
    candidates: List[int],
    open_ids: Sequence[int],
) -> None:
    """Numbers named for `candidates`: one each, in order, when the count fits all
    of them or just the open ones; otherwise (or if taken already) in doubt."""
    free = [m for m in candidates if m not in values]
    free_open = [m for m in free if m in open_ids]
    for targets in (free, free_open):
        if len(targets) == len(typed) and len(free) == len(candidates):
            for meter_id, value in zip(targets, typed):
                values[meter_id] = value.text
            return
    unplaced.extend(value.text for value in typed)
