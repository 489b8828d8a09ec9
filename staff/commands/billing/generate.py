"""`teplo billing generate`: a synthetic billing export of any size, for tests and benchmarks.

Every name and number is made up; the file has the exact shape of the real
export (one row per meter, an empty-meter row for accounts without meters,
decimal commas, dd.mm.yyyy dates).
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator, List

from core.accounts.numbers import ACCOUNT_MAX_DIGITS
from core.billing.csvfiles import parse_date, write_csv
from core.billing.subscriber_file import COLUMNS
from core.demo.seed import POLTAVA_STREETS
from core.errors import StaffError
from core.progress import progress
from core.settings import get_settings
from staff.common import EXIT_OK, whole_number

SURNAMES = (
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Шевченко",
    "Кравченко",
    "Олійник",
    "Мельник",
    "Петренко",
    "Гончаренко",
    "Лисенко",
    "Павленко",
    "Сидоренко",
    "Руденко",
    "Мороз",
    "Марченко",
    "Гнатюк",
    "Костенко",
    "Зінченко",
    "Ящук",
    "М’якота",
    "Дем’яненко",
    "Ґудзь",
)
INITIALS = "АБВГДЄЗІЇКЛМНОПРСТФЮЯ"
# (kind, unit, decimals, typical reading); an account's first meter is heat or water,
# further meters are hot water (kitchen, bathroom).
HEAT_METERS = (("heat", "Gcal", 3, 40), ("heat", "MWh", 3, 45), ("heat", "kWh", 0, 45000))
WATER_METER = ("hot_water", "m3", 3, 300)
NO_METER_SHARE = 0.02
MAX_METERS = 3


def meter_counts(accounts: int, meters: int, rng: random.Random) -> List[int]:
    """How many meters each account gets (0..3), summing exactly to `meters`."""
    if meters > MAX_METERS * accounts:
        raise StaffError(
            f"{meters} лічильників не вмістяться в {accounts} рахунків (до {MAX_METERS} на рахунок)"
        )
    fewest_metered = -(-meters // MAX_METERS)
    without = max(accounts - meters, int(accounts * NO_METER_SHARE))
    without = min(without, accounts - fewest_metered)
    counts = [0] * without + [1] * (accounts - without)
    # Every metered account has room for two more meters; pick the missing ones among those slots.
    slots = [index for index in range(without, accounts) for _ in range(MAX_METERS - 1)]
    for index in rng.sample(slots, meters - (accounts - without)):
        counts[index] += 1
    rng.shuffle(counts)
    return counts


def synthetic_rows(
    counts: List[int], first_number: int, reading_date: date, rng: random.Random
) -> Iterator[List[str]]:
    """One row per meter, and one empty-meter row per account without meters."""
    serial = 0
    day = reading_date.strftime("%d.%m.%Y")
    for index, count in enumerate(counts):
        number = f"{first_number + index:07d}"
        person = f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}. {rng.choice(INITIALS)}."
        address = [rng.choice(POLTAVA_STREETS), str(rng.randint(1, 120)), str(rng.randint(1, 240))]
        if count == 0:
            yield [number, person, *address, "", "", "", "", ""]
            continue
        kinds = [rng.choice(HEAT_METERS) if rng.random() < 0.6 else WATER_METER]
        kinds += [WATER_METER] * (count - 1)
        for kind, unit, decimals, typical in kinds:
            serial += 1
            value = rng.uniform(0.2, 2.0) * typical
            text = f"{value:.{decimals}f}".replace(".", ",")
            yield [
                number,
                person,
                *address,
                f"{'T' if kind == 'heat' else 'W'}{serial:08d}",
                kind,
                unit,
                text,
                day,
            ]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="згенерувати вигаданий файл білінгу (для тестів і замірів швидкості)",
        description="Створює CSV у форматі вивантаження білінгу з вигаданими абонентами.",
    )
    parser.add_argument("file", type=Path, metavar="ФАЙЛ", help="куди записати CSV")
    for option, default, meaning in (
        ("--accounts", 200_000, "кількість рахунків"),
        ("--meters", 300_000, "кількість лічильників"),
        ("--first-number", 2_000_001, "номер першого рахунку"),
    ):
        parser.add_argument(
            option,
            type=whole_number,
            default=default,
            metavar="ЧИСЛО",
            help=f"{meaning} (типово {default})",
        )
    parser.add_argument(
        "--reading-date",
        type=_date_arg,
        metavar="ДАТА",
        help="дата останніх показників (типово останній день минулого місяця)",
    )
    parser.add_argument(
        "--encoding",
        choices=("utf-8-sig", "utf-8", "cp1251"),
        default="cp1251",
        metavar="КОДУВАННЯ",
        help="utf-8-sig, utf-8 або cp1251 (типово cp1251, як у більшості білінгів)",
    )
    parser.add_argument(
        "--delimiter",
        choices=(";", ","),
        default=";",
        metavar="СИМВОЛ",
        help="роздільник колонок: ; або , (типово ;)",
    )
    parser.add_argument(
        "--seed",
        type=whole_number,
        default=2026,
        metavar="ЧИСЛО",
        help="зерно випадкових чисел (відтворюваність)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.accounts < 1 or args.meters < 0:
        raise StaffError("--accounts має бути додатним, --meters — невідʼємним")
    if len(str(args.first_number + args.accounts)) > ACCOUNT_MAX_DIGITS:
        raise StaffError(f"номери рахунків вийдуть довшими за {ACCOUNT_MAX_DIGITS} цифр")
    reading_date = args.reading_date or (
        get_settings().now().date().replace(day=1) - timedelta(days=1)
    )
    rng = random.Random(args.seed)
    counts = meter_counts(args.accounts, args.meters, rng)
    rows = synthetic_rows(counts, args.first_number, reading_date, rng)
    total = args.meters + counts.count(0)
    with open(args.file, "wb") as stream:
        count = write_csv(
            stream,
            args.encoding,
            COLUMNS,
            progress(rows, total=total, desc="генерація"),
            delimiter=args.delimiter,
        )
    print(
        f"Записано {count} рядків ({args.accounts} рахунків, {args.meters} лічильників) у {args.file}"
    )
    return EXIT_OK


def _date_arg(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"дата «{text}»: ДД.ММ.РРРР або РРРР-ММ-ДД") from None
