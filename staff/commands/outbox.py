"""`outbox`: the state of the outgoing-message queue, by kind and status."""

from __future__ import annotations

import argparse

from core.db.engine import unit_of_work
from core.repository import holders as holders_repo
from core.repository.outbox import queue as outbox_queue
from core.settings import month_bounds
from core.texts.accounts import FLAG_REASONS
from core.texts.outbox import OUTBOX_KIND_LABELS, OUTBOX_STATUS_LABELS, moment
from staff.common import EXIT_OK, period_arg
from staff.tables import render_table

KIND_LABELS, STATUS_LABELS = OUTBOX_KIND_LABELS, OUTBOX_STATUS_LABELS


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "outbox",
        description="Скільки повідомлень кожного виду в черзі, надіслано, з помилкою, "
        "не доставлено через блокування бота; коли наступне; найчастіші помилки; "
        "рахунки, які власники позначили кнопкою «Це не я».",
    )
    parser.add_argument(
        "--period", type=period_arg, help="лише повідомлення, створені в цьому місяці РРРР-ММ"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    since, until = month_bounds(args.period) if args.period else (None, None)
    with unit_of_work() as session:
        counts = outbox_queue.counts_by_kind_and_status(session, since, until)
        next_due = outbox_queue.next_due(session)
        errors = outbox_queue.recent_errors(session)
        flags = holders_repo.open_flags(session)
    print(render(counts, next_due, errors))
    if flags:
        print("\nРахунки для перевірки (teplo flags):")
        for number, reason, at in flags:
            print(f"  {number} — {moment(at)}: {FLAG_REASONS.get(reason, reason)}")
    return EXIT_OK


def render(counts, next_due, errors) -> str:
    statuses = list(STATUS_LABELS)
    kinds = [k for k in KIND_LABELS if any(kind == k for kind, _ in counts)]
    rows = [
        [KIND_LABELS[kind]] + [counts.get((kind, status), 0) for status in statuses]
        for kind in kinds
    ]
    if not rows:
        return "Черга порожня."
    lines = [
        render_table(
            ["вид"] + [STATUS_LABELS[s] for s in statuses],
            rows,
            right_aligned=range(1, len(statuses) + 1),
        )
    ]
    if next_due is not None:
        lines.append(f"\nНаступне в черзі: {moment(next_due)}")
    if errors:
        lines.append("\nНайчастіші помилки:")
        lines += [f"  {KIND_LABELS.get(k, k)}: {error or '—'} ({n})" for k, error, n in errors]
    return "\n".join(lines)
