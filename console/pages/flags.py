"""Позначки: accounts staff should look at, in two queues — «Це не я» reports
(decided here: the newcomer keeps access or is unlinked and barred) and the
ownership-proof flags (locks, suspicious proofs, and any kind the repository adds;
a new kind needs only a line in core.texts.accounts.FLAG_REASONS to read well) —
each newest and unresolved first, page by page; and the relinking bars, which
staff may lift. The decisions live in `core.staff.flags`, shared with `teplo flags`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from console.auth import guarded
from console.pages.common import as_user, flash_back, form_text
from console.rendering import render
from core.db.engine import run_unit_of_work
from core.repository import holders as holders_repo
from core.staff import flags as staff_flags

BARS_SHOWN = 200


def _page(request: Request, queue: str) -> int:
    raw = request.query_params.get(f"{queue}-page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


@guarded()
async def flags_page(request: Request) -> Response:
    wanted = {queue: _page(request, queue) for queue in staff_flags.QUEUES}

    def load(session):
        queues = [staff_flags.flag_queue(session, queue, page) for queue, page in wanted.items()]
        return queues, holders_repo.all_bars(session, BARS_SHOWN)

    queues, (bars, bars_total) = await run_unit_of_work(load)
    return render(
        request,
        "flags.html",
        queues=queues,
        titles=staff_flags.QUEUE_TITLES,
        not_me_queue=staff_flags.NOT_ME_QUEUE,
        bars=bars,
        bars_total=bars_total,
        flag_label=staff_flags.flag_label,
    )


@guarded()
async def resolve(request: Request) -> Response:
    """Marks a flag handled (from the list or from the account page)."""
    result = await as_user(
        request,
        staff_flags.resolve_flag,
        request.path_params["flag_id"],
        form_text(request, "note"),
    )
    back = form_text(request, "back")
    return flash_back(request, result, back if back.startswith("/accounts/") else "/flags")


@guarded()
async def decide(request: Request) -> Response:
    """A «Це не я» report decided: keep=1 restores the newcomer, otherwise unlinks and bars."""
    keep, note = form_text(request, "keep") == "1", form_text(request, "note")
    result = await as_user(
        request, staff_flags.decide_report, request.path_params["flag_id"], keep, note
    )
    return flash_back(request, result, "/flags")


@guarded()
async def lift_bar(request: Request) -> Response:
    result = await as_user(
        request, staff_flags.lift_bar, request.path_params["bar_id"], form_text(request, "note")
    )
    return flash_back(request, result, "/flags")
