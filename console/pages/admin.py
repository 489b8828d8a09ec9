"""Admins' pages: the audit log and the list of staff users (created from the command line)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from console.auth import guarded
from console.rendering import render
from core.db.engine import run_unit_of_work
from core.db.models import StaffRole
from core.repository import audit as audit_repo
from core.repository import staff_users as staff_users_repo

PAGE_SIZE = 50
ACTION_LABELS = {
    "unlink": "відв’язано користувача",
    "correct_reading": "виправлено показник",
    "annul_reading": "анульовано показник",
    "window": "вікно прийому",
    "contacts": "контакти",
    "tariffs": "тарифи",
    "billing_import": "імпорт з білінгу",
    "export": "вивантаження показників",
    "attachment_download": "завантажено фото чи документ споживача",
    "staff_user": "працівник консолі",
    "resolve_flag": "позначку опрацьовано",
    "label_phrases": "розмітка фраз",
    "train": "навчання нової моделі",
    "promoted_model": "нову модель поставлено",
    "kept_model": "залишено попередню модель",
    "conversations_read": "переглянуто список розмов",
    "conversation_read": "відкрито розмову",
    "conversation_tags": "мітки розмови",
    "conversation_reviewed": "розмову позначено переглянутою",
    "conversation_story": "розмову збережено як тестову історію",
    "sign_in": "вхід до консолі",
    "sign_in_failed": "невдала спроба входу",
    "decide_not_me": "рішення щодо «Це не я»",
    "lift_link_bar": "знято заборону додавання",
    "broadcast": "розсилка",
    "bill_links.issue": "посилання для рахунків",
    "case_take": "звернення взято",
    "case_reply": "відповідь на звернення",
    "case_close": "звернення закрито",
    "read_account": "переглянуто рахунок",
    "read_case": "переглянуто звернення",
    "read_search": "пошук рахунків",
    "billing_key_create": "створено ключ API білінгу",
    "billing_key_revoke": "відкликано ключ API білінгу",
    "billing_drop": "показники передано в теку білінгу",
    "plan_reminders": "нагадування поставлено в чергу",
    "privacy_purge": "видалено дані, чий строк зберігання минув",
}


def readable(raw: str) -> str:
    """JSON of the log as "key: value" lines (empty for nothing)."""
    if not raw:
        return "—"
    value = json.loads(raw)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {'—' if item is None else item}" for key, item in value.items())
    return json.dumps(value, ensure_ascii=False)


@guarded(StaffRole.admin)
async def audit_page(request: Request) -> Response:
    raw_page = request.query_params.get("page", "1")
    page = max(int(raw_page), 1) if raw_page.isdigit() else 1
    username = (request.query_params.get("user") or "").strip()
    action = (request.query_params.get("action") or "").strip()
    entries = await run_unit_of_work(
        lambda s: audit_repo.audit_entries(
            s, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE, username=username, action=action
        )
    )
    return render(
        request,
        "audit.html",
        entries=entries[:PAGE_SIZE],
        more=len(entries) > PAGE_SIZE,
        page=page,
        username=username,
        action=action,
        labels=ACTION_LABELS,
        readable=readable,
    )


@guarded(StaffRole.admin)
async def staff_page(request: Request) -> Response:
    users = await run_unit_of_work(staff_users_repo.staff_users)
    return render(request, "staff.html", users=users)
