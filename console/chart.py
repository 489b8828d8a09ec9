"""The month's chart as inline SVG, drawn on the server (no JavaScript, no CDN)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from html import escape
from typing import Dict, List

from markupsafe import Markup

# One colour per channel in the legend's order; unknown channels share the last one.
COLOURS = ["#2a7ab0", "#7a4fb5", "#d9822b", "#3a9a5b", "#888888"]
WIDTH, HEIGHT = 760, 240
LEFT, BOTTOM, TOP = 44, 28, 12


def daily_chart(
    per_day: Dict[date, Counter],
    channels: List[str],
    first: date,
    last: date,
    labels: Dict[str, str],
) -> Markup:
    """Stacked bars: readings per Kyiv day, split by channel, with a legend."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    peak = max([sum(per_day.get(day, Counter()).values()) for day in days] + [1])
    scale = _nice_ceiling(peak)
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / len(days)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 24}" '
        f'role="img" aria-label="Показники за днями">'
    ]
    for step in range(5):
        value = scale * step // 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    for index, day in enumerate(days):
        counts = per_day.get(day, Counter())
        x = LEFT + index * slot + slot * 0.15
        y = TOP + plot_h
        for position, channel in enumerate(channels):
            count = counts.get(channel, 0)
            if not count:
                continue
            height = plot_h * count / scale
            y -= height
            colour = COLOURS[min(position, len(COLOURS) - 1)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
                f'fill="{colour}"><title>{day:%d.%m}: {escape(labels.get(channel, channel))} — '
                f"{count}</title></rect>"
            )
        if day.day == 1 or day.day % 5 == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{day.day}</text>'
            )
    legend_x = LEFT
    for position, channel in enumerate(channels):
        colour = COLOURS[min(position, len(COLOURS) - 1)]
        label = escape(labels.get(channel, channel))
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT + 8}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="{HEIGHT + 18}">{label}</text>'
        )
        legend_x += 30 + 8 * len(label)
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_ceiling(peak: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten, times 4, not below the peak."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude * 4 >= peak:
                return factor * magnitude * 4
        magnitude *= 10
