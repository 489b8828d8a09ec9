"""The billing subscriber export: columns, per-row checks and duplicate conflicts.

No database here: the file becomes accounts, meters and rejected rows, which
`core.billing.importer` then compares with the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

from core.accounts.numbers import ACCOUNT_MAX_DIGITS, ACCOUNT_MIN_DIGITS
from core.accounts.phones import normalise_phone
from core.billing.csvfiles import (
    CsvText,
    cells_of,
    check_header,
    fits,
    parse_date,
    parse_decimal,
    read_csv,
)
from core.db.models import HEAT_UNITS, WATER_UNITS, MeterKind
from core.progress import progress

COLUMNS = (
    "account_number",
    "owner_name",
    "street",
    "house",
    "apartment",
    "meter_serial",
    "meter_kind",
    "unit",
    "last_reading",
    "last_reading_date",
)
# Optional columns after the required ones, in this order: how many integer digits
# the meter's display has (for rollovers past 99 999; empty: unknown), and the
# subscriber's phone in any Ukrainian notation (stored as +380XXXXXXXXX; it proves
# the account in Telegram, core/accounts/ownership.py). A file without the phone
# column leaves the phones as they are; an empty cell in it removes the phone.
OPTIONAL_COLUMNS = ("display_digits", "phone")
MAX_DISPLAY_DIGITS = 10  # READING_NUMERIC's integer digits
COLUMNS_WITH_PHONE = len(COLUMNS) + 2
# Column widths of the database (actions/db/models.py); longer values would fail there.
MAX_LENGTHS = {"owner_name": 200, "street": 200, "house": 20, "apartment": 20, "meter_serial": 40}
_LIMITED = [(COLUMNS.index(column), column, limit) for column, limit in MAX_LENGTHS.items()]
UNITS = {unit.lower(): unit for unit in (*HEAT_UNITS, *WATER_UNITS)}
UNITS_OF_KIND = {MeterKind.heat: HEAT_UNITS, MeterKind.hot_water: WATER_UNITS}
# Readings are stored as NUMERIC(14, 4).
READING_PRECISION, READING_SCALE = 14, 4

MeterKey = Tuple[str, str]  # (account number, meter serial)


# Named tuples, not dataclasses: 500,000 of them are built per import, and
# tuples are created, hashed and compared several times faster, in half the memory.
class AccountData(NamedTuple):
    number: str
    owner_name: str
    street: str
    house: str
    apartment: str
    phone: Optional[str] = None


class MeterData(NamedTuple):
    account_number: str
    serial: str
    kind: MeterKind
    unit: str
    reading: Optional[Decimal]
    reading_date: Optional[date]
    display_digits: Optional[int] = None


class Rejected(NamedTuple):
    line: int
    account_number: str
    code: str
    reason: str


class RowError(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass
class SubscriberFile:
    """What a file says, after every row was checked."""

    accounts: Dict[str, AccountData] = field(default_factory=dict)
    meters: Dict[MeterKey, MeterData] = field(default_factory=dict)
    rejected: List[Rejected] = field(default_factory=list)
    # Keys named by any row, good or bad: `--full` must not deactivate what a
    # bad row was about.
    mentioned_accounts: Set[str] = field(default_factory=set)
    mentioned_meters: Set[MeterKey] = field(default_factory=set)
    rows: int = 0
    encoding: str = ""
    delimiter: str = ""
    # The file has the phone column: phones are written (an empty cell removes one).
    has_phone: bool = False


def load_subscriber_file(path: Path, today: date, encoding: str = "") -> SubscriberFile:
    return parse_subscribers(read_csv(path, encoding), today)


def parse_subscribers(csv_text: CsvText, today: date) -> SubscriberFile:
    width = check_header(csv_text.header, COLUMNS, OPTIONAL_COLUMNS)
    result = SubscriberFile(
        encoding=csv_text.encoding,
        delimiter=csv_text.delimiter,
        has_phone=width > COLUMNS_WITH_PHONE - 1,
    )
    good: List[Tuple[int, AccountData, Optional[MeterData]]] = []
    for line, raw in progress(csv_text.rows(), total=csv_text.line_count, desc="перевірка рядків"):
        result.rows += 1
        number = raw[0].strip() if raw else ""
        serial = raw[5].strip() if len(raw) > 5 else ""
        if number:
            result.mentioned_accounts.add(number)
            if serial:
                result.mentioned_meters.add((number, serial))
        try:
            cells = cells_of(raw, width)
        except ValueError as error:
            result.rejected.append(
                Rejected(line, number, "wrong_columns", f"неправильна кількість колонок: {error}")
            )
            continue
        try:
            account, meter = parse_row(cells, today)
        except RowError as error:
            result.rejected.append(Rejected(line, number, error.code, error.reason))
            continue
        good.append((line, account, meter))
    for _line, account, meter in _without_conflicts(good, result.rejected):
        result.accounts.setdefault(account.number, account)
        if meter is not None:
            result.meters.setdefault((meter.account_number, meter.serial), meter)
    result.rejected.sort(key=lambda rejected: rejected.line)
    return result


def parse_row(cells: List[str], today: date) -> Tuple[AccountData, Optional[MeterData]]:
    """One row's account and meter (None for an account without meters).

    Raises:
        RowError: the first problem found, with a code and a reason for staff.
    """
    (
        number,
        owner,
        street,
        house,
        apartment,
        serial,
        kind_text,
        unit_text,
        reading_text,
        date_text,
    ) = cells[: len(COLUMNS)]
    digits_text = cells[len(COLUMNS)] if len(cells) > len(COLUMNS) else ""
    phone_text = cells[len(COLUMNS) + 1] if len(cells) > len(COLUMNS) + 1 else ""
    if not number:
        raise RowError("no_account_number", "немає номера особового рахунку")
    if not (
        number.isascii()
        and number.isdigit()
        and ACCOUNT_MIN_DIGITS <= len(number) <= ACCOUNT_MAX_DIGITS
    ):
        raise RowError(
            "bad_account_number",
            f"номер рахунку «{number}» має складатися з "
            f"{ACCOUNT_MIN_DIGITS}–{ACCOUNT_MAX_DIGITS} цифр",
        )
    for index, column, limit in _LIMITED:
        if len(cells[index]) > limit:
            raise RowError(
                "too_long",
                f"{column}: задовге значення ({len(cells[index])} символів, найбільше {limit})",
            )
    if not street or not house:
        # Also catches lines cut short: they would blank a known subscriber's address.
        raise RowError("no_address", "немає адреси (вулиці або будинку)")
    phone = normalise_phone(phone_text)
    if phone_text and phone is None:  # the number itself stays out of the report
        raise RowError("bad_phone", "номер телефону не схожий на український (+380XXXXXXXXX)")
    account = AccountData(number, owner, street, house, apartment, phone)
    if not any((serial, kind_text, unit_text, reading_text, date_text, digits_text)):
        return account, None
    if not serial:
        raise RowError("no_meter_serial", "заповнено дані лічильника, але немає його номера")
    kind = _kind(kind_text)
    unit = _unit(unit_text, kind)
    reading, reading_date = _reading(reading_text, date_text, today)
    digits = _display_digits(digits_text, reading)
    return account, MeterData(number, serial, kind, unit, reading, reading_date, digits)


def _display_digits(text: str, reading: Optional[Decimal]) -> Optional[int]:
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_DISPLAY_DIGITS):
        raise RowError(
            "bad_display_digits",
            f"розрядність табло «{text}» має бути цілим числом від 1 до {MAX_DISPLAY_DIGITS}",
        )
    digits = int(text)
    if reading is not None and reading >= Decimal(10) ** digits:
        raise RowError(
            "bad_display_digits",
            f"показник {reading} не вміщується на табло з {digits} цифр",
        )
    return digits


def _kind(text: str) -> MeterKind:
    try:
        return MeterKind(text.lower())
    except ValueError:
        raise RowError(
            "unknown_kind", f"невідомий вид лічильника «{text}» (має бути heat або hot_water)"
        ) from None


def _unit(text: str, kind: MeterKind) -> str:
    unit = UNITS.get(text.lower())
    if unit is None:
        raise RowError("unknown_unit", f"невідома одиниця «{text}» (Gcal, MWh, kWh або m3)")
    if unit not in UNITS_OF_KIND[kind]:
        raise RowError("unknown_unit", f"одиниця {unit} не підходить для лічильника {kind.value}")
    return unit


def _reading(
    value_text: str, date_text: str, today: date
) -> Tuple[Optional[Decimal], Optional[date]]:
    if not value_text and not date_text:
        return None, None
    if not value_text:
        raise RowError("bad_reading", "є дата показника, але немає самого показника")
    try:
        value = parse_decimal(value_text)
    except ValueError:
        raise RowError("bad_reading", f"показник «{value_text}» не є числом") from None
    if not fits(value, READING_PRECISION, READING_SCALE):
        raise RowError(
            "bad_reading",
            f"показник «{value_text}» завеликий або має понад {READING_SCALE} знаки після коми",
        )
    if not date_text:
        raise RowError("bad_date", "є показник, але немає дати показника")
    try:
        day = parse_date(date_text)
    except ValueError:
        raise RowError(
            "bad_date", f"дата «{date_text}» не розпізнана (має бути ДД.ММ.РРРР або РРРР-ММ-ДД)"
        ) from None
    if day > today:
        raise RowError("bad_date", f"дата показника {date_text} ще не настала")
    return value, day


def _without_conflicts(
    good: List[Tuple[int, AccountData, Optional[MeterData]]], rejected: List[Rejected]
) -> List[Tuple[int, AccountData, Optional[MeterData]]]:
    """Drops every row of an account or meter whose rows disagree.

    Identical repeated rows are harmless and kept once; when rows disagree the
    tool cannot know which one billing meant, so none of them is imported.
    """
    first: Dict[object, object] = {}
    conflicts: Set[object] = set()
    for _, account, meter in good:
        if first.setdefault(account.number, account) != account:
            conflicts.add(account.number)
        if meter is not None:
            key = (meter.account_number, meter.serial)
            if first.setdefault(key, meter) != meter:
                conflicts.add(key)
    if not conflicts:
        return good
    lines: Dict[object, List[int]] = defaultdict(list)
    for line, account, meter in good:
        for key in (account.number, meter and (meter.account_number, meter.serial)):
            if key in conflicts:
                lines[key].append(line)
    kept = []
    for line, account, meter in good:
        key = meter and (meter.account_number, meter.serial)
        if account.number in conflicts:
            reason = "рахунок має різні ПІБ або адресу в рядках " + _line_list(
                lines[account.number]
            )
        elif key in conflicts:
            reason = f"лічильник {meter.serial} має різні дані в рядках " + _line_list(lines[key])
        else:
            kept.append((line, account, meter))
            continue
        rejected.append(Rejected(line, account.number, "conflicting_duplicate", reason))
    return kept


def _line_list(numbers: List[int], shown: int = 5) -> str:
    text = ", ".join(map(str, numbers[:shown]))
    return text + (f" і ще {len(numbers) - shown}" if len(numbers) > shown else "")
