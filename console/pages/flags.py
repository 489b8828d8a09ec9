"""Позначки: accounts staff should look at, in two queues — «Це не я» reports
(decided here: the newcomer keeps access or is unlinked and barred) and the
ownership-proof flags (locks, suspicious proofs, and any kind the repository adds;
a new kind needs only a line in core.texts.accounts.FLAG_REASONS to read well) —
each newest and unresolved first, page by page; and the relinking bars, which
staff may lift. The decisions live in `core.accounts.staff`."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import guarded
from console.pages.common import acting, form_text
from console.rendering import flash, render
from core.accounts import staff as staff_ops
from core.db.engine import run_unit_of_work
from core.db.models import Account
from core.repository import console as console_repo
from core.repository import holders as holders_repo
from core.settings import get_settings
from core.texts.accounts import FLAG_REASONS

BARS_SHOWN = 200


def flag_label(reason: str) -> str:
    return FLAG_REASONS.get(reason, reason)


def _page(request: Request, queue: str) -> int:
    raw = request.query_params.get(f"{queue}-page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@guarded()
async def flags_page(request: Request) -> Response:
    wanted = {queue: _page(request, queue) for queue in staff_ops.QUEUES}

    def load(session: Session):
        queues = [staff_ops.flag_queue(session, queue, page) for queue, page in wanted.items()]
        return queues, holders_repo.all_bars(session, BARS_SHOWN)

    queues, (bars, bars_total) = await run_unit_of_work(load)
    return render(
        request,
        "flags.html",
        queues=queues,
        titles=staff_ops.QUEUE_TITLES,
        not_me_queue=staff_ops.NOT_ME_QUEUE,
        bars=bars,
        bars_total=bars_total,
        flag_label=flag_label,
    )


@guarded()
async def resolve(request: Request) -> Response:
    """Marks a flag handled (from the list or from the account page)."""
    flag_id = request.path_params["flag_id"]
    user, now = acting(request), get_settings().now()

    def work(session: Session) -> bool:
        found = holders_repo.resolve_flag(session, flag_id, user.username, now)
        if found is None:
            return False
        console_repo.record_audit(
            session,
            user.username,
            "resolve_flag",
            f"рахунок {session.get(Account, found.account_id).number}",
            {"flag": flag_label(found.reason), "handled": None},
            {"flag": flag_label(found.reason), "handled": now.isoformat(timespec="seconds")},
            now,
            form_text(request, "note"),
        )
        return True

    if await run_unit_of_work(work):
        flash(request, "Позначку опрацьовано.")
    else:
        flash(request, "Цю позначку вже опрацьовано.", "error")
    back = form_text(request, "back")
    return RedirectResponse(back if back.startswith("/accounts/") else "/flags", status_code=303)


def _flash_result(request: Request, result: staff_ops.StaffResult) -> Response:
    flash(request, result.message, "ok" if result.ok else "error")
    return RedirectResponse("/flags", status_code=303)


@guarded()
async def decide(request: Request) -> Response:
    """A «Це не я» report decided: keep=1 restores the newcomer, otherwise unlinks and bars."""
    flag_id, user, now = request.path_params["flag_id"], acting(request), get_settings().now()
    keep, note = form_text(request, "keep") == "1", form_text(request, "note")
    result = await run_unit_of_work(
        lambda s: staff_ops.decide_report(s, user.username, now, flag_id, keep, note)
    )
    return _flash_result(request, result)


@guarded()
async def lift_bar(request: Request) -> Response:
    bar_id, user, now = request.path_params["bar_id"], acting(request), get_settings().now()
    note = form_text(request, "note")
    result = await run_unit_of_work(
        lambda s: staff_ops.lift_bar(s, user.username, now, bar_id, note)
    )
    return _flash_result(request, result)
