"""«Навчання»: the misunderstood-messages inbox, labelling in bulk, «Навчити» (the
merge and the gated retrain in the background), and the admin's promote or keep."""

from __future__ import annotations

from typing import Dict, List, Optional

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import guarded
from console.pages.common import as_user, form_text
from console.rendering import flash, render
from core.db.engine import run_unit_of_work
from core.db.models import StaffRole, TrainingStatus
from core.errors import StaffError
from core.repository import training as training_repo
from core.settings import get_settings
from core.staff import training as staff_training
from retrain import nludata
from retrain import reload as server
from retrain.background import view_of
from retrain.inbox_cache import masked
from retrain.merge import merge_rows
from retrain.pipeline import promote_checked
from retrain.review_csv import LabelledRow

DAYS = (7, 30, 90)
DISCARD = "discard"


def _days(request: Request) -> int:
    raw = request.query_params.get("days", "")
    return int(raw) if raw.isdigit() and int(raw) in DAYS else 30


@guarded()
async def training_page(request: Request) -> Response:
    project = request.app.state.training.project
    days = _days(request)
    problem: Optional[str] = None
    try:
        entries = await run_in_threadpool(
            request.app.state.inbox.entries, project, days, "refresh" in request.query_params
        )
    except StaffError as error:
        entries, problem = [], str(error)
    keys = [masked(e.phrase)[1] for e in entries]

    def load(session) -> Dict:
        labels = training_repo.labels_by_key(session, keys)
        rows = []
        for entry, key in zip(entries, keys):
            label = labels.get(key)
            if label is not None and (label.intent is None or label.run_id is not None):
                continue  # discarded, or already in the training data
            rows.append((entry, label.intent if label else "", label.labelled_by if label else ""))
        return {
            "rows": rows,
            "pending": [(p.phrase, p.intent) for p in training_repo.pending_labels(session)],
            "run": view_of(training_repo.latest_run(session)),
        }

    view = await run_unit_of_work(load)
    return render(
        request,
        "training.html",
        days=days,
        choices=DAYS,
        problem=problem,
        intents=nludata.domain_intents(project.domain),
        **view,
    )


@guarded()
async def save_labels(request: Request) -> Response:
    """The checked rows labelled with their chosen intent, or discarded: one submit."""
    form = request.state.form
    discard = form_text(request, "action") == DISCARD
    project = request.app.state.training.project
    valid = set(nludata.domain_intents(project.domain))
    chosen: Dict[str, tuple] = {}
    for index in form.getlist("pick"):
        phrase, key = masked(form_text(request, f"phrase_{index}"))
        intent = None if discard else form_text(request, f"intent_{index}")
        if not key or (intent is not None and intent not in valid):
            continue
        chosen[key] = (phrase, intent)
    if not chosen:
        flash(request, "Позначте фрази й виберіть для кожної намір.", "error")
        return RedirectResponse(_back(request), status_code=303)
    count = await as_user(request, staff_training.label_phrases, chosen)
    flash(request, f"Відкинуто фраз: {count}." if discard else f"Розмічено фраз: {count}.")
    return RedirectResponse(_back(request), status_code=303)


def _back(request: Request) -> str:
    days = form_text(request, "days")
    return f"/training?days={days}" if days.isdigit() else "/training"


@guarded(StaffRole.admin)
async def start_training(request: Request) -> Response:
    """«Навчити»: the labelled phrases into data/nlu/, then the gated retrain in the background."""
    runner = request.app.state.training
    started = await as_user(request, staff_training.begin_run)
    if started is None:
        flash(
            request,
            "Навчання вже йде або нова модель чекає рішення (поставити чи залишити попередню).",
            "error",
        )
        return RedirectResponse("/training", status_code=303)
    run_id, pending = started
    rows = [
        LabelledRow(line=n, phrase=phrase, label=intent)
        for n, (_, phrase, intent) in enumerate(pending, 1)
    ]
    try:
        result = await run_in_threadpool(merge_rows, rows, runner.project)
    except StaffError as error:
        why = str(error)
        await _fail(run_id, why)
        flash(request, f"Фрази не додано, навчання не почалося: {why}", "error")
        return RedirectResponse("/training", status_code=303)
    except BaseException:
        # Not left "running" with nothing running: the next «Навчити» must be possible.
        await _fail(run_id, "помилка під час додавання фраз")
        raise
    await as_user(
        request,
        staff_training.record_merge,
        run_id,
        [label_id for label_id, _, _ in pending],
        result.added_count,
        [(phrase, why) for _, phrase, why in result.skipped],
    )
    await run_in_threadpool(runner.start, run_id)
    flash(
        request,
        f"Додано фраз до навчальних даних: {result.added_count}. Навчання почалося; "
        "сторінка оновлюється сама.",
    )
    return RedirectResponse("/training", status_code=303)


async def _fail(run_id: int, why: str) -> None:
    now = get_settings().now()
    await run_unit_of_work(lambda s: staff_training.fail_run(s, now, run_id, why))


async def _ready_run(request: Request) -> Optional[int]:
    raw = form_text(request, "run")
    return await run_unit_of_work(lambda s: staff_training.ready_run(s, raw))


@guarded(StaffRole.admin)
async def promote(request: Request) -> Response:
    """The checked model into service (the gate once more), then the running server reloads."""
    run_id = await _ready_run(request)
    if run_id is None:
        flash(request, "Немає нової моделі, яку можна поставити.", "error")
        return RedirectResponse("/training", status_code=303)
    project = request.app.state.training.project
    said: List[str] = []

    def swap() -> tuple:
        outcome = promote_checked(project, say=said.append)
        reloaded = server.reload_promoted(project.current_model, server.server_url(), True)
        return f"точність {outcome.verdict.accuracy_after:.4f}", reloaded

    try:
        accuracy, reloaded = await run_in_threadpool(swap)
    except StaffError as error:
        flash(request, f"Модель не поставлено: {error}", "error")
        return RedirectResponse("/training", status_code=303)
    await as_user(
        request,
        staff_training.decide_run,
        run_id,
        TrainingStatus.promoted,
        {"run": run_id, "model": accuracy},
    )
    flash(request, f"Нову модель поставлено. {reloaded}")
    return RedirectResponse("/training", status_code=303)


@guarded(StaffRole.admin)
async def keep(request: Request) -> Response:
    """The model in service stays; the new one is set aside."""
    run_id = await _ready_run(request)
    if run_id is None:
        flash(request, "Немає нової моделі, про яку треба вирішити.", "error")
        return RedirectResponse("/training", status_code=303)
    project = request.app.state.training.project
    project.candidate_model.unlink(missing_ok=True)
    await as_user(
        request,
        staff_training.decide_run,
        run_id,
        TrainingStatus.kept,
        {"run": run_id, "model": "попередня"},
    )
    flash(request, "Працює попередня модель; нову відкладено.")
    return RedirectResponse("/training", status_code=303)
