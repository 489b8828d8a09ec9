"""`teplo billing import`: subscribers and meters from the billing export
(`core.staff.billing`, audited; shared with the console's «Білінг»)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List, Optional

from core.billing.csvfiles import ENCODING_NAMES, write_csv
from core.billing.subscriber_file import COLUMNS, Rejected, load_subscriber_file
from core.settings import get_settings
from core.staff import billing as staff_billing
from staff.common import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, as_cli

SHOWN_REJECTS = 50
DELIMITER_NAMES = {";": "крапка з комою", ",": "кома"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import",
        help="імпорт абонентів і лічильників з файлу білінгу",
        description="Оновлює рахунки, лічильники й останні показники з CSV-вивантаження "
        "білінгу. Заголовок: " + ";".join(COLUMNS) + ". Кодування (UTF-8, UTF-8 з BOM, "
        "Windows-1251) і роздільник («;» або «,») визначаються самі.",
        epilog="Коди виходу: 0 — усе імпортовано; 3 — імпортовано, але є відхилені рядки; "
        "1 — нічого не імпортовано (помилка файлу, --strict або захист --full).",
    )
    parser.add_argument("file", type=Path, metavar="ФАЙЛ", help="CSV-файл з білінгу")
    parser.add_argument(
        "--full",
        action="store_true",
        help="повне вивантаження: рахунки й лічильники, яких немає у файлі, "
        "стають неактивними (показники не видаляються)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="нічого не імпортувати, якщо хоч один рядок помилковий",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="лише перевірити файл і показати, що змінилося б"
    )
    parser.add_argument(
        "--rejects", type=Path, metavar="ФАЙЛ", help="зберегти всі відхилені рядки в CSV-файл"
    )
    parser.add_argument(
        "--allow-mass-deactivation",
        action="store_true",
        help="дозволити --full вимкнути понад 10%% активних рахунків або лічильників",
    )
    parser.add_argument(
        "--encoding",
        choices=sorted(ENCODING_NAMES),
        metavar="КОДУВАННЯ",
        help="кодування файлу, якщо визначене само неправильне: "
        + ", ".join(sorted(ENCODING_NAMES)),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    settings = get_settings()
    now = settings.now()
    parsed = load_subscriber_file(args.file, now.date(), args.encoding or "")
    print(
        f"Файл {args.file}: кодування {parsed.encoding}, роздільник — "
        f"{DELIMITER_NAMES[parsed.delimiter]}, рядків даних: {parsed.rows}."
    )
    show_rejected(parsed.rejected, args.rejects)
    if args.strict and parsed.rejected:
        print(f"--strict: відхилено рядків: {len(parsed.rejected)}. Нічого не імпортовано.")
        return EXIT_FAILED

    plan = as_cli(
        staff_billing.import_subscribers,
        parsed,
        args.full,
        allow_mass_deactivation=args.allow_mass_deactivation,
        dry_run=args.dry_run,
    )

    print(
        ("Перевірка без змін (--dry-run), імпорт дав би:" if args.dry_run else "Імпорт завершено:")
    )
    accounts, meters = plan.accounts, plan.meters
    print(
        f"  рахунки:    додано {accounts.added}, оновлено {accounts.updated}, "
        f"деактивовано {accounts.deactivated}"
    )
    print(
        f"  лічильники: додано {meters.added}, оновлено {meters.updated}, "
        f"деактивовано {meters.deactivated}"
    )
    print(
        f"  показники:  додано {len(plan.new_readings)}, без змін {plan.readings_unchanged}, "
        f"залишено новіші {plan.readings_newer_kept}"
    )
    print(f"  рядки:      усього {parsed.rows}, відхилено {len(parsed.rejected)}")
    if args.full and any(not r.account_number for r in parsed.rejected):
        print(
            "  увага: серед відхилених є рядки без номера рахунку; --full міг вимкнути "
            "їхні рахунки — виправте файл і імпортуйте його ще раз."
        )
    print(f"  час: {time.monotonic() - started:.1f} с")
    return EXIT_PARTIAL if parsed.rejected else EXIT_OK


def show_rejected(rejected: List[Rejected], save_to: Optional[Path]) -> None:
    if not rejected:
        return
    print(f"Відхилено рядків: {len(rejected)}")
    for row in rejected[:SHOWN_REJECTS]:
        number = f" (рахунок {row.account_number})" if row.account_number else ""
        print(f"  рядок {row.line}{number}: {row.reason} [{row.code}]")
    if len(rejected) > SHOWN_REJECTS:
        rest = len(rejected) - SHOWN_REJECTS
        hint = "" if save_to else " Повний список: --rejects ФАЙЛ."
        print(f"  … і ще {rest}.{hint}")
    if save_to:
        with open(save_to, "wb") as stream:
            write_csv(
                stream,
                "utf-8-sig",
                ("line", "account_number", "code", "reason"),
                ((str(r.line), r.account_number, r.code, r.reason) for r in rejected),
            )
        print(f"  повний список збережено у {save_to}")
    sys.stdout.flush()
