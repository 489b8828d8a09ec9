"""The `python -m retrain` argument parser: one subcommand per step of the loop
(the handlers are in retrain.commands)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import List, Optional

from core.errors import StaffError
from core.settings import KYIV
from retrain import commands, inbox, reload
from retrain.common import EXIT_FAILED, ROOT

RETRAIN_HELP = "Навчання асистента на нових фразах: docs/staff-guide.md"


def date_arg(text: str) -> date:
    """argparse type: "2026-11-01" or "01.11.2026"."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"дата «{text}» має бути у форматі РРРР-ММ-ДД або ДД.ММ.РРРР")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m retrain",
        description="Навчання асистента: нерозпізнані повідомлення → розмітка → нова модель "
        "через перевірку якості.",
        epilog=f"Довідка до команди: python -m retrain КОМАНДА --help. {RETRAIN_HELP}",
    )
    parser.add_argument(
        "--project", type=Path, default=ROOT, metavar="DIR", help="каталог проєкту (типово — цей)"
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    found = subcommands.add_parser(
        "inbox",
        help="нерозпізнані повідомлення за період → CSV для перегляду",
        description="Повідомлення споживачів, на які асистент відповів «не зрозумів» або "
        "розпізнав з упевненістю нижче порогу, згруповані й без повторів; найчастіші зверху. "
        "Номери рахунків і показники замінено на 0123456 / 1234,5.",
    )
    today = datetime.now(KYIV).date()
    found.add_argument(
        "--from",
        dest="first",
        type=date_arg,
        default=today - timedelta(days=30),
        metavar="ДАТА",
        help="перший день (типово 30 днів тому)",
    )
    found.add_argument(
        "--to",
        dest="last",
        type=date_arg,
        default=today,
        metavar="ДАТА",
        help="останній день включно (типово сьогодні)",
    )
    found.add_argument(
        "--threshold",
        type=float,
        default=inbox.DEFAULT_THRESHOLD,
        metavar="0.7",
        help="поріг упевненості (типово %(default)s)",
    )
    found.add_argument(
        "--out",
        type=Path,
        metavar="ФАЙЛ",
        help="куди записати (типово var/review/inbox-ПЕРІОД.csv)",
    )
    found.set_defaults(handler=commands.run_inbox)

    merge = subcommands.add_parser(
        "merge",
        help="додати розмічені фрази з CSV у data/nlu/",
        description="Фрази з заповненою колонкою «Правильний намір» додаються до прикладів "
        "цього наміру. Невідомий намір — нічого не додається. Повтори пропускаються.",
    )
    merge.add_argument("review", type=Path, metavar="ФАЙЛ", help="CSV після розмітки")
    merge.add_argument("--dry-run", action="store_true", help="лише показати, що буде додано")
    merge.set_defaults(handler=commands.run_merge)

    intents = subcommands.add_parser(
        "intents",
        help="список намірів із прикладами",
        description="Назви, які можна писати в колонку «Правильний намір».",
    )
    intents.set_defaults(handler=commands.run_intents)

    evaluate = subcommands.add_parser(
        "evaluate",
        help="перевірити модель на тестових фразах і порівняти з еталоном",
        description="Звіти в results/nlu/: intent_report.json, intent_confusion_matrix.png, "
        "intent_errors.json і misclassified.csv. Код 1, якщо модель гірша за results/baseline.json.",
    )
    evaluate.add_argument("--model", type=Path, help="типово models/current.tar.gz")
    evaluate.add_argument("--no-gate", action="store_true", help="не порівнювати з еталоном")
    evaluate.set_defaults(handler=commands.run_evaluate)

    check = subcommands.add_parser(
        "check",
        help="порівняти вже зроблену перевірку з еталоном (без навчання)",
        description="Код 1, якщо модель гірша за results/baseline.json; напр. після зміни допусків.",
    )
    check.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="DIR",
        help="каталог звітів (типово results/nlu; нова модель — results/candidate)",
    )
    check.set_defaults(handler=commands.run_check)

    baseline = subcommands.add_parser(
        "baseline",
        help="записати results/baseline.json з останньої перевірки (make evaluate)",
        description="Для першого запуску або після зміни тестового набору; допуски зберігаються.",
    )
    baseline.set_defaults(handler=commands.run_baseline)

    retrain = subcommands.add_parser(
        "retrain",
        help="перевірити дані, навчити, оцінити; замінити модель, лише якщо не гірша",
        description="Після заміни модель перезавантажується в запущеному сервері, якщо задано "
        "RASA_API_TOKEN (і RASA_URL, типово http://127.0.0.1:5005).",
    )
    retrain.add_argument("--no-reload", action="store_true", help="не перезавантажувати сервер")
    retrain.set_defaults(handler=commands.run_retrain)

    reload_cmd = subcommands.add_parser(
        "reload",
        help="завантажити models/current.tar.gz у запущений сервер",
        description="PUT /model через HTTP API Rasa з токеном RASA_API_TOKEN; розмови зберігаються.",
    )
    reload_cmd.add_argument(
        "--url", default=None, help=f"адреса сервера (типово RASA_URL або {reload.DEFAULT_URL})"
    )
    reload_cmd.add_argument(
        "--model",
        type=Path,
        default=None,
        help="інша модель (типово models/current.tar.gz; models/previous.tar.gz — попередня)",
    )
    reload_cmd.set_defaults(handler=commands.run_reload)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except StaffError as error:
        print(f"Помилка: {error}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_FAILED
