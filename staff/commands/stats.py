"""`teplo stats`: how the month's collection goes, as a table and optionally a chart.
The figures are the console's month page's (`core.reporting.month`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Dict, Tuple

from core.db.engine import unit_of_work
from core.reporting.billing import HandoverStatus, handover_status
from core.reporting.month import MonthFigures, first_submissions, month_figures, outbox_counts
from core.settings import get_settings
from core.texts.common import format_period
from core.texts.labels import channel_label, rejection_rows
from core.texts.outbox import OUTBOX_KIND_LABELS
from staff.common import EXIT_OK, period_arg
from staff.tables import render_table


def render(stats: MonthFigures, outbox: Dict[Tuple[str, str], int]) -> str:
    lines = [f"Статистика за {format_period(stats.period)} ({stats.period})", ""]
    lines.append(
        f"Рахунки з показниками: {stats.accounts_submitted} з {stats.active_accounts} "
        f"активних ({_percent(stats.accounts_submitted, stats.active_accounts)}); "
        f"з лічильниками: {stats.accounts_due}"
    )
    lines.append(
        f"Лічильники з показниками: {stats.meters_submitted} з {stats.active_meters} "
        f"активних ({_percent(stats.meters_submitted, stats.active_meters)})"
    )

    lines += ["", "Показники через асистента за днями (чинні)"]
    channels = stats.channels
    if stats.per_day:
        rows = [
            [f"{day:%d.%m.%Y}", *(counts[c] for c in channels), sum(counts.values())]
            for day, counts in sorted(stats.per_day.items())
        ]
        totals = stats.by_channel
        rows.append(["разом", *(totals[c] for c in channels), stats.readings])
        numbers = set(range(1, len(channels) + 2))
        headers = ["день", *(channel_label(c) for c in channels), "усього"]
        lines.append(render_table(headers, rows, indent=2, right_aligned=numbers))
    else:
        lines.append("  показників ще немає")

    lines += ["", "Відхилені спроби ввести показник"]
    rows = [list(row) for row in rejection_rows(stats.rejections)]
    rows.append(["разом", sum(stats.rejections.values())])
    lines.append(render_table(["причина", "спроб"], rows, indent=2, right_aligned={1}))

    fallbacks = sum(stats.fallbacks.values())
    by_channel = ", ".join(f"{c} {n}" for c, n in sorted(stats.fallbacks.items()))
    lines += [
        "",
        f"Нерозпізнані повідомлення (fallback): {fallbacks}"
        + (f" ({by_channel})" if by_channel else ""),
    ]
    lines += ["", "Повідомлення, які асистент надсилає першим (створені цього місяця)"]
    lines.append(_outbox_table(outbox))
    return "\n".join(lines)


def render_handover(status: HandoverStatus) -> str:
    """The hand-over to billing: what went, what waits, when billing last took data."""
    lines = [
        "Передача до білінгу",
        f"  показників за місяць у файлах: {status.delivered}; ще не у файлі: {status.pending}; "
        f"у непідтверджених файлах: {status.unacknowledged}",
        f"  файли: остання доставка {_when(status.last_file_at)}, останнє підтвердження "
        f"{_when(status.last_ack_at)}, непідтверджених файлів {status.unacknowledged_files}",
    ]
    if status.api_clients:
        for client in status.api_clients:
            lines.append(
                f"  API «{client.name}»: останній запит {_when(client.last_used_at)}, "
                f"ще не забрано {client.behind}"
            )
    else:
        lines.append("  API: ключів немає")
    if status.stale:
        hours = int(status.stale_after.total_seconds() // 3600)
        lines.append(
            f"  УВАГА: білінг не забирає дані понад {hours} год — найстаріше чекає "
            f"з {_when(status.waiting_since)}. Перевірте таймер teplo billing drop, теку й "
            "підтвердження (teplo billing files)."
        )
    return "\n".join(lines)


def _when(moment) -> str:
    return "ще не було" if moment is None else f"{moment:%d.%m.%Y %H:%M}"


def _outbox_table(outbox: Dict[Tuple[str, str], int]) -> str:
    """Planned / sent / failed / blocked per kind (planned: every row made, whatever became of it)."""
    kinds = [kind for kind in OUTBOX_KIND_LABELS if any(k == kind for k, _ in outbox)]
    if not kinds:
        return "  не було"
    rows = []
    for kind in kinds:
        count = {status: n for (k, status), n in outbox.items() if k == kind}
        rows.append(
            [
                OUTBOX_KIND_LABELS[kind],
                sum(count.values()),
                count.get("sent", 0),
                count.get("failed", 0),
                count.get("blocked", 0),
            ]
        )
    headers = ["вид", "заплановано", "надіслано", "помилка", "заблоковано"]
    return render_table(headers, rows, indent=2, right_aligned={1, 2, 3, 4})


def _percent(part: int, whole: int) -> str:
    if whole == 0:
        return "—"
    return f"{100 * part / whole:.1f}%".replace(".", ",")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "stats",
        description="Рахунки з показниками серед активних, показники за днями й каналами, "
        "відхилені спроби за причинами, нерозпізнані повідомлення.",
    )
    parser.add_argument(
        "--period", type=period_arg, required=True, metavar="РРРР-ММ", help="місяць"
    )
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="ФАЙЛ.png",
        help="також зберегти графік (показники за днями й частка рахунків)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    with unit_of_work() as session:
        stats = month_figures(session, args.period)
        outbox = outbox_counts(session, args.period)
        first = first_submissions(session, args.period) if args.plot else None
        handover = handover_status(
            session, args.period, settings.now(), settings.billing_stale_hours
        )
    print(render(stats, outbox))
    print()
    print(render_handover(handover))
    if args.plot:
        from staff.stats_plot import save_plot  # matplotlib is slow to import; only when asked

        save_plot(stats, first, args.plot, get_settings().now().date())
        print(f"\nГрафік збережено: {args.plot}")
    return EXIT_OK
