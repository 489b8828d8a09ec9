"""«Місяць»: the period in figures — submitted and due, channels, days, refusals."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from console.auth import guarded
from console.chart import daily_chart
from console.pages.common import period_param
from console.rendering import CHANNEL_LABELS, render
from core.db.engine import run_unit_of_work
from core.handoff.figures import case_figures, duration_text
from core.readings.checks import Rejection
from core.repository.console import period_days

REASON_LABELS = {
    Rejection.NOT_A_NUMBER.value: "не число",
    Rejection.LOWER_THAN_PREVIOUS.value: "менший за попередній",
    Rejection.IMPLAUSIBLE.value: "неправдоподібно велике споживання",
    Rejection.OUTSIDE_WINDOW.value: "поза вікном прийому",
    Rejection.TOO_MANY_DECIMALS.value: "забагато знаків після коми",
}


@guarded()
async def month_page(request: Request) -> Response:
    period = period_param(request)
    kept = await request.app.state.figures.figures_for(period)
    if kept is None:
        return render(request, "month_counting.html", period=period)
    figures = kept.figures
    first, last = period_days(period)
    reasons = list(REASON_LABELS) + sorted(set(figures.rejections) - set(REASON_LABELS))
    fallbacks = sum(figures.fallbacks.values())
    cases = await run_unit_of_work(lambda s: case_figures(s, first, last))
    return render(
        request,
        "month.html",
        period=period,
        figures=figures,
        chart=daily_chart(figures.per_day, figures.channels, first, last, CHANNEL_LABELS),
        rejections=[(REASON_LABELS.get(r, r), figures.rejections[r]) for r in reasons],
        fallbacks=fallbacks,
        as_of=kept.as_of,
        cases=cases,
        duration=duration_text,
    )
