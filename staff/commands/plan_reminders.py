"""`plan-reminders`: puts today's deadline reminders into the outbox (run by a timer)."""

from __future__ import annotations

import argparse

from core.staff import maintenance
from core.texts.common import days_word
from core.texts.outbox import moment
from staff.common import EXIT_OK, as_cli


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plan-reminders",
        description="Якщо сьогодні день нагадування (типово за 3 дні до останнього дня вікна "
        "прийому та в останній день, з урахуванням перенесених вікон), ставить у чергу "
        "по одному повідомленню кожному, хто не вимкнув нагадувань і ще не передав усіх "
        "показників. Повторний запуск того ж дня нічого не додає. Надсилає процес "
        "channels.outbox_sender.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    result = as_cli(maintenance.plan_reminders)
    if result.slot is None:
        print("Сьогодні не день нагадувань; нічого не заплановано.")
        return EXIT_OK
    head = f"Нагадування за {result.slot.period} ({_which(result.slot.days_before)})"
    if result.too_late:
        print(
            f"{head}: запізно — через тиху пору вони надійшли б уже після закриття вікна "
            f"прийому; нових не заплановано (у черзі на цей день — {result.planned})."
        )
        return EXIT_OK
    print(
        f"{head}: нових у черзі — {result.added}, усього на цей день — {result.planned}. "
        f"Надсилання з {moment(result.not_before)}."
    )
    return EXIT_OK


def _which(days_before: int) -> str:
    if days_before == 0:
        return "останній день"
    return f"за {days_before} {days_word(days_before)} до останнього дня"
