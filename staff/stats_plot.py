"""The month's chart for managers: readings per day by channel, cumulative share of accounts."""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; staff servers have no display

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

from core.errors import StaffError  # noqa: E402
from core.reporting.month import MonthFigures  # noqa: E402
from core.texts.common import format_period  # noqa: E402
from core.texts.labels import channel_label  # noqa: E402


def save_plot(stats: MonthFigures, first: Counter, path: Path, today: date) -> None:
    """Writes a PNG; the figure is built without pyplot, so no global state is left.

    In the current month the share line stops at today: the days ahead are unknown, not flat.
    """
    year, month = map(int, stats.period.split("-"))
    days = list(range(1, calendar.monthrange(year, month)[1] + 1))
    known = [d for d in days if date(year, month, d) <= today]
    figure = Figure(figsize=(10, 7), dpi=120, constrained_layout=True)
    bars, share = figure.subplots(2, 1, sharex=True)

    bottom = [0] * len(days)
    for channel in stats.channels:
        heights = [stats.per_day.get(date(year, month, d), {}).get(channel, 0) for d in days]
        bars.bar(days, heights, bottom=bottom, label=channel_label(channel))
        bottom = [b + h for b, h in zip(bottom, heights)]
    bars.set_title(f"Показники через асистента, {format_period(stats.period)}")
    bars.set_ylabel("показників за день")
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))
    if stats.channels:
        bars.legend(title="канал")
    bars.grid(axis="y", alpha=0.3)

    total, cumulative = stats.active_accounts, []
    running = 0
    for d in known:
        running += first.get(date(year, month, d), 0)
        cumulative.append(100 * running / total if total else 0)
    share.plot(known, cumulative, marker="o", markersize=3)
    share.set_title(f"Частка активних рахунків з показниками (усього рахунків: {total})")
    share.set_ylabel("рахунків, наростаючим підсумком")
    share.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    peak = max(cumulative, default=0)
    share.set_ylim(0, 100 if peak > 50 else max(5, peak * 1.2))
    share.set_xlabel("день місяця")
    share.set_xticks(days)
    share.tick_params(axis="x", labelsize=8)
    share.grid(alpha=0.3)

    try:
        figure.savefig(path, format="png")
    except OSError as error:
        raise StaffError(f"не вдалося зберегти графік у {path}: {error.strerror}") from error
