"""«Розмови» (admins only): conversations from Rasa's tracker store by account, sender
or case, with filters; one conversation's transcript with tags, «переглянуто» and
«зберегти як тестову історію». Every read is audited (the list with its filters,
each transcript opened); the changes are the core's (`core.staff.reviews`)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from console import review
from console.auth import guarded
from console.config import project_of
from console.pages.common import acting, form_text
from console.rendering import error_page, flash, render
from core.db.engine import run_unit_of_work
from core.db.models import StaffRole
from core.errors import StaffError
from core.repository import accounts as accounts_repo
from core.senders import SenderKey
from core.settings import get_settings
from core.staff import reviews as staff_reviews
from retrain.story_candidates import candidates_folder, write_candidate

KIND_LABELS = {"user": "споживач", "bot": "бот", "action": "дія", "loop": "форма"}


async def _audit(request: Request, action: str, target: str, after: object) -> None:
    user, now = acting(request), get_settings().now()
    await run_unit_of_work(
        lambda s: staff_reviews.record_read(s, user.username, now, action, target, after)
    )


@guarded(StaffRole.admin)
async def list_page(request: Request) -> Response:
    config = request.app.state.config
    try:
        filters = review.parse_filters(request.query_params)
        listing = await run_in_threadpool(review.list_conversations, config, filters)
    except review.FilterError as error:
        return error_page(request, 400, str(error))
    except StaffError as error:
        return error_page(request, 503, str(error))
    await _audit(
        request,
        "conversations_read",
        "conversations",
        {**filters.described(), "показано": len(listing.rows)},
    )
    return render(
        request,
        "conversations.html",
        filters=filters,
        listing=listing,
        flag_labels=review.FLAG_LABELS,
        channels=review.CHANNELS,
        shown=review.SHOWN,
    )


async def _conversation(request: Request):
    config = request.app.state.config
    return await run_in_threadpool(review.one_conversation, config, request.path_params["event_id"])


@guarded(StaffRole.admin)
async def conversation_page(request: Request) -> Response:
    try:
        shown = await _conversation(request)
    except StaffError as error:
        return error_page(request, 503, str(error))
    if shown is None:
        return error_page(request, 404, "Такої розмови немає.")
    conversation = shown.conversation
    await _audit(
        request,
        "conversation_read",
        f"conversation:{conversation.first_event_id}",
        {"користувач": conversation.sender_id},
    )
    sender = SenderKey(conversation.channel, conversation.sender_id)
    accounts = await run_unit_of_work(lambda s: accounts_repo.linked_accounts(s, sender))
    return render(
        request,
        "conversation.html",
        shown=shown,
        c=conversation,
        accounts=accounts,
        flag_labels=review.FLAG_LABELS,
        kind_labels=KIND_LABELS,
        folder=str(candidates_folder(project_of(request.app.state.config))),
    )


def _ref(shown: review.Shown) -> staff_reviews.ConversationRef:
    c = shown.conversation
    return staff_reviews.ConversationRef(
        c.first_event_id, SenderKey(c.channel, c.sender_id), c.started_at
    )


def _change(work, done: str):
    """A POST that changes the conversation's notes and comes back to it."""

    @guarded(StaffRole.admin)
    async def endpoint(request: Request) -> Response:
        event_id = request.path_params["event_id"]
        try:
            shown = await _conversation(request)
            if shown is None:
                return error_page(request, 404, "Такої розмови немає.")
            user, now = acting(request), get_settings().now()
            message = await work(request, shown, user.username, now)
        except (staff_reviews.ReviewError, StaffError, OSError) as error:
            flash(request, str(error), "error")
        else:
            flash(request, message or done)
        return RedirectResponse(f"/conversations/{event_id}", status_code=303)

    return endpoint


async def _tags(request, shown, actor, now):
    raw = form_text(request, "tags")
    await run_unit_of_work(lambda s: staff_reviews.set_tags(s, actor, now, _ref(shown), raw))


async def _reviewed(request, shown, actor, now):
    reviewed = form_text(request, "reviewed") == "yes"
    await run_unit_of_work(
        lambda s: staff_reviews.mark_reviewed(s, actor, now, _ref(shown), reviewed)
    )
    return "Позначено: переглянуто." if reviewed else "Позначку «переглянуто» знято."


async def _story(request, shown, actor, now):
    project = project_of(request.app.state.config)

    def work(session):
        private = accounts_repo.personal_words(session)
        path = write_candidate(project, shown.conversation, now, private)
        staff_reviews.story_saved(session, actor, now, _ref(shown), str(path))
        return path

    path = await run_unit_of_work(work)
    shown_path = path.relative_to(project.root) if path.is_relative_to(project.root) else path
    return f"Тестову історію-кандидата записано: {shown_path}."


ROUTES = [
    Route("/conversations", list_page),
    Route("/conversations/{event_id:int}", conversation_page),
    Route(
        "/conversations/{event_id:int}/tags",
        _change(_tags, "Мітки збережено."),
        methods=["POST"],
    ),
    Route(
        "/conversations/{event_id:int}/reviewed",
        _change(_reviewed, ""),
        methods=["POST"],
    ),
    Route(
        "/conversations/{event_id:int}/story",
        _change(_story, ""),
        methods=["POST"],
    ),
]
