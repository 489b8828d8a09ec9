"""`teplo privacy purge`: retention, run by a timer, and the consumers' "forget me"."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

from core.db.engine import unit_of_work
from core.settings import get_settings
from core.staff import maintenance
from core.staff.actor import cli_actor
from retrain.common import Project
from staff.common import EXIT_OK

DEFAULT_KEEP_DAYS = 180


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "privacy",
        description="Видаляє розмови й знеособлені події, старші за вказаний строк, "
        "записи пошуку рахунків (за добу) і доставок месенджерів (за тиждень), фото й "
        "документи, надіслані раніше за строк, надіслані повідомлення (за 90 днів), "
        "сповіщення власникам і спроби входу до консолі (за 30 днів), а також розмови споживачів, які попросили видалити їхні дані. Показники лишаються: "
        "це облікові записи білінгу. Запускайте щодня таймером (docs/staff-guide.md).",
    )
    commands = parser.add_subparsers(dest="privacy_command", metavar="ДІЯ", required=True)
    purge = commands.add_parser(
        "purge",
        help="видалити все, чий строк зберігання минув",
        description="Видаляє розмови та події старші за --keep-days днів (типово "
        f"{DEFAULT_KEEP_DAYS}) і розмови тих, хто попросив забути їх.",
    )
    purge.add_argument(
        "--keep-days",
        type=int,
        default=None,
        metavar="ДНІВ",
        help=f"скільки днів зберігати розмови (типово RETENTION_DAYS або {DEFAULT_KEEP_DAYS})",
    )
    purge.add_argument("--project", type=Path, default=None, metavar="ТЕКА", help=argparse.SUPPRESS)
    purge.set_defaults(handler=run_purge)


def run_purge(args: argparse.Namespace) -> int:
    from retrain.trackerdb import delete_conversations, tracker_store_url

    settings = get_settings()
    keep_days = args.keep_days or settings.retention_days
    now = settings.now()
    with unit_of_work() as session:
        purged, request_ids, senders = maintenance.purge_expired_data(session, now, keep_days)
    project = Project(args.project) if args.project else Project()
    conversations = delete_conversations(
        tracker_store_url(project), now - timedelta(days=keep_days), senders
    )
    with unit_of_work() as session:
        maintenance.finish_purge(
            session, cli_actor(), now, keep_days, purged, request_ids, conversations
        )
    print(
        f"Видалено: подій розмов у сховищі — {conversations} (старших за {keep_days} дн. "
        f"і {len(senders)} споживачів, що попросили забути), знеособлених подій — "
        f"{purged.conversation_events}, пошуків рахунків — {purged.lookups}, "
        f"доставок — {purged.deliveries}, спроб підтвердити рахунок — {purged.proofs}, "
        f"фото й документів — {purged.attachments}, повідомлень черги розсилки — "
        f"{purged.outbox}, сповіщень власникам — {purged.notices}, спроб входу до "
        f"консолі — {purged.login_attempts}, закритих звернень — {purged.cases}, "
        f"нотаток до розмов (мітки, «переглянуто») — {purged.reviews}."
    )
    return EXIT_OK
