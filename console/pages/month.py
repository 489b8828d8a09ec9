"""«Місяць»: the period in figures — submitted and due, channels, days, refusals."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from console.auth import guarded
from console.chart import daily_chart
from console.pages.common import period_param
from console.rendering import render
from core.db.engine import run_unit_of_work
from core.handoff.figures import case_figures, duration_text
from core.reporting.month import period_days
from core.texts.labels import CHANNEL_LABELS, rejection_rows


@guarded()
async def month_page(request: Request) -> Response:
    period = period_param(request)
    kept = await request.app.state.figures.figures_for(period)
    if kept is None:
        return render(request, "month_counting.html", period=period)
    figures = kept.figures
    first, last = period_days(period)
    fallbacks = sum(figures.fallbacks.values())
    cases = await run_unit_of_work(lambda s: case_figures(s, first, last))
    return render(
        request,
        "month.html",
        period=period,
        figures=figures,
        chart=daily_chart(figures.per_day, figures.channels, first, last, CHANNEL_LABELS),
        rejections=rejection_rows(figures.rejections),
        fallbacks=fallbacks,
        as_of=kept.as_of,
        cases=cases,
        duration=duration_text,
    )
