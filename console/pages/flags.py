"""Позначки: accounts staff should look at — «Це не я» reports and whatever else
the repository flags (any kind `core.repository.holders` returns is listed; a
new kind needs only a line in core.texts.accounts.FLAG_REASONS to read well) — and «опрацьовано»."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import guarded
from console.pages.common import acting, form_text
from console.rendering import flash, render
from core.db.engine import run_unit_of_work
from core.db.models import Account
from core.repository import console as console_repo
from core.repository import holders as holders_repo
from core.settings import get_settings
from core.texts.accounts import FLAG_REASONS


def flag_label(reason: str) -> str:
    return FLAG_REASONS.get(reason, reason)


@guarded()
async def flags_page(request: Request) -> Response:
    flags = await run_unit_of_work(holders_repo.open_flags_with_accounts)
    return render(request, "flags.html", flags=flags, flag_label=flag_label)


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
