"""`stats`: how the month's collection goes, as a table and optionally a chart."""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, List

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from actions.db.models import Account, ConversationEvent, Meter, Reading, ReadingSource
from actions.readings import checks
from actions.settings import get_settings
from actions.texts import format_period
from staff.common import EXIT_OK, month_bounds, period_arg, read_only
from staff.tables import render_table

# The reasons staff asked to see, always listed (zero included), then any other.
REASON_LABELS = {
    checks.NOT_A_NUMBER: "не число",
    checks.LOWER_THAN_PREVIOUS: "менший за попередній",
    checks.IMPLAUSIBLE: "неправдоподібно велике споживання",
    checks.OUTSIDE_WINDOW: "поза вікном прийому",
    checks.TOO_MANY_DECIMALS: "забагато знаків після коми",
}


@dataclass
class MonthStats:
    period: str
    active_accounts: int = 0
    accounts_with_meters: int = 0
    accounts_with_readings: int = 0
    active_meters: int = 0
    meters_with_readings: int = 0
    # Readings in force taken by the assistant, by Kyiv day and channel.
    per_day: Dict[date, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # Accounts counted in `accounts_with_readings`, by the day of their first submission.
    first_submissions: Counter = field(default_factory=Counter)
    rejections: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)

    @property
    def channels(self) -> List[str]:
        return sorted({channel for counts in self.per_day.values() for channel in counts})

    @property
    def readings(self) -> int:
        return sum(sum(counts.values()) for counts in self.per_day.values())


def month_stats(session: Session, period: str) -> MonthStats:
    stats = MonthStats(period)
    stats.active_accounts = session.execute(
        select(func.count(Account.id)).where(Account.active.is_(True))
    ).scalar_one()
    stats.active_meters, stats.accounts_with_meters = session.execute(
        select(func.count(Meter.id), func.count(distinct(Meter.account_id)))
        .join(Account, Meter.account_id == Account.id)
        .where(Meter.active.is_(True), Account.active.is_(True))
    ).one()

    rows = session.execute(
        select(Meter.account_id, Reading.meter_id, Reading.submitted_at, Reading.channel,
               Reading.in_force, Account.active)
        .join(Meter, Reading.meter_id == Meter.id)
        .join(Account, Meter.account_id == Account.id)
        .where(Reading.period == period, Reading.source == ReadingSource.assistant)
    )
    first_day: Dict[int, date] = {}
    counted, meters = set(), set()
    for account_id, meter_id, submitted_at, channel, in_force, active in rows:
        day = submitted_at.date()  # AwareDateTime gives Kyiv time
        # Superseded readings still tell when the subscriber first came.
        first_day[account_id] = min(day, first_day.get(account_id, day))
        if not in_force:
            continue
        stats.per_day[day][channel] += 1
        if active:
            counted.add(account_id)
            meters.add(meter_id)
    stats.accounts_with_readings, stats.meters_with_readings = len(counted), len(meters)
    stats.first_submissions = Counter(first_day[account_id] for account_id in counted)

    start, end = month_bounds(period)
    events = session.execute(
        select(ConversationEvent.kind, ConversationEvent.reason, ConversationEvent.channel,
               func.count(ConversationEvent.id))
        .where(ConversationEvent.occurred_at >= start, ConversationEvent.occurred_at < end)
        .group_by(ConversationEvent.kind, ConversationEvent.reason, ConversationEvent.channel)
    )
    for kind, reason, channel, count in events:
        if kind == "reading_rejected":
            stats.rejections[reason] += count
        elif kind == "fallback":
            stats.fallbacks[channel or "?"] += count
    return stats


def render(stats: MonthStats) -> str:
    lines = [f"Статистика за {format_period(stats.period)} ({stats.period})", ""]
    lines.append(f"Рахунки з показниками: {stats.accounts_with_readings} з {stats.active_accounts} "
                 f"активних ({_percent(stats.accounts_with_readings, stats.active_accounts)}); "
                 f"з лічильниками: {stats.accounts_with_meters}")
    lines.append(f"Лічильники з показниками: {stats.meters_with_readings} з {stats.active_meters} "
                 f"активних ({_percent(stats.meters_with_readings, stats.active_meters)})")

    lines += ["", "Показники через асистента за днями (чинні)"]
    channels = stats.channels
    if stats.per_day:
        rows = [[f"{day:%d.%m.%Y}", *(counts[c] for c in channels), sum(counts.values())]
                for day, counts in sorted(stats.per_day.items())]
        totals = Counter()
        for counts in stats.per_day.values():
            totals.update(counts)
        rows.append(["разом", *(totals[c] for c in channels), stats.readings])
        numbers = set(range(1, len(channels) + 2))
        lines.append(render_table(["день", *channels, "усього"], rows, indent=2, right_aligned=numbers))
    else:
        lines.append("  показників ще немає")

    lines += ["", "Відхилені спроби ввести показник"]
    reasons = list(REASON_LABELS) + sorted(set(stats.rejections) - set(REASON_LABELS))
    rows = [[REASON_LABELS.get(r, r), stats.rejections[r]] for r in reasons]
    rows.append(["разом", sum(stats.rejections.values())])
    lines.append(render_table(["причина", "спроб"], rows, indent=2, right_aligned={1}))

    fallbacks = sum(stats.fallbacks.values())
    by_channel = ", ".join(f"{c} {n}" for c, n in sorted(stats.fallbacks.items()))
    lines += ["", f"Нерозпізнані повідомлення (fallback): {fallbacks}"
              + (f" ({by_channel})" if by_channel else "")]
    return "\n".join(lines)


def _percent(part: int, whole: int) -> str:
    if whole == 0:
        return "—"
    return f"{100 * part / whole:.1f}%".replace(".", ",")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "stats", help="підсумки місяця: хто передав показники, відмови, fallback",
        description="Рахунки з показниками серед активних, показники за днями й каналами, "
        "відхилені спроби за причинами, нерозпізнані повідомлення.",
    )
    parser.add_argument("--period", type=period_arg, required=True, help="місяць РРРР-ММ")
    parser.add_argument("--plot", type=Path, metavar="FILE.png",
                        help="також зберегти графік (показники за днями й частка рахунків)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with read_only() as session:
        stats = month_stats(session, args.period)
    print(render(stats))
    if args.plot:
        from staff.stats_plot import save_plot  # matplotlib is slow to import; only when asked

        save_plot(stats, args.plot, get_settings().now().date())
        print(f"\nГрафік збережено: {args.plot}")
    return EXIT_OK
