"""Shared channel pieces: splitting, keyboards, delivery de-duplication and the
staff webhook command (`teplo webhooks`)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from channels import storage
from channels.keyboards import payload_for, rows, viber_keyboard
from channels.text import split_text, utf16_units
from channels.viber_api import EVENT_TYPES
from core.db.models import ChannelDelivery
from core.texts.menu import menu_buttons, yes_no_buttons
from devtools.harness.messengers import FakeApi
from staff.cli import main as teplo
from staff.common import EXIT_FAILED, EXIT_OK
from tests.support.db import in_session
from tests.support.payloads import TELEGRAM_SECRET, TELEGRAM_TOKEN, VIBER_TOKEN

MENU_BUTTONS, YES_NO_BUTTONS = menu_buttons(), yes_no_buttons()


def test_split_prefers_paragraphs_then_lines_then_words():
    text = "\n\n".join(["а" * 50, "б" * 50, "в" * 50])
    assert split_text(text, 110) == ["а" * 50 + "\n\n" + "б" * 50, "в" * 50]
    assert split_text("слово " * 30, 41) == ["слово " * 6 + "слово"] * 4 + ["слово " * 1 + "слово"]
    assert split_text("ы" * 25, 10) == ["ы" * 10, "ы" * 10, "ы" * 5]
    assert split_text("  коротко  ", 4096) == ["коротко"] and split_text("", 10) == []


def test_split_counts_utf16_units_for_telegram():
    parts = split_text("😀" * 3000, 4096, utf16_units)
    assert [len(p) for p in parts] == [2048, 952]


def test_keyboard_rows_and_title_matching():
    assert [[b["title"] for b in row] for row in rows(MENU_BUTTONS)] == [
        ["Передати показники"],
        ["Додати особовий рахунок"],
        ["Мої рахунки", "Історія показників"],
        ["Строки подачі", "Контакти", "Допомога"],
    ]
    assert len(rows(YES_NO_BUTTONS)) == 1
    assert payload_for("  мої   РАХУНКИ ", MENU_BUTTONS) == "/list_accounts"
    assert payload_for("мої рахунки, будь ласка", MENU_BUTTONS) is None


def test_viber_keyboard_fills_the_six_column_grid():
    buttons = viber_keyboard(MENU_BUTTONS)["Buttons"]
    assert [b["Columns"] for b in buttons] == [6, 6, 3, 3, 2, 2, 2]
    assert all(b["ActionType"] == "reply" and b["Rows"] == 1 for b in buttons)


async def test_only_one_of_concurrent_claims_wins(engine):
    claims = await asyncio.gather(*[storage.claim_delivery("telegram", "900001") for _ in range(6)])
    assert sorted(claims) == [False] * 5 + [True]
    await storage.finish_delivery("telegram", "900001")
    assert await storage.claim_delivery("telegram", "900001") is False
    assert await storage.claim_delivery("viber", "900001") is True  # per channel


async def test_a_claim_abandoned_by_a_dead_process_is_taken_over(engine):
    assert await storage.claim_delivery("telegram", "900002") is True
    assert await storage.claim_delivery("telegram", "900002") is False  # still being handled
    long_ago = datetime.now(timezone.utc) - storage.STALE_CLAIM - timedelta(minutes=1)
    in_session(lambda s: s.execute(update(ChannelDelivery).values(claimed_at=long_ago)))
    assert await storage.claim_delivery("telegram", "900002") is True
    assert await storage.claim_delivery("telegram", "900002") is False


@pytest.fixture
def staff_env(monkeypatch):
    with FakeApi("telegram") as telegram_api, FakeApi("viber") as viber_api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
        monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", TELEGRAM_SECRET)
        monkeypatch.setenv(
            "TELEGRAM_WEBHOOK_URL", "https://assistant.example.test/webhooks/telegram/webhook"
        )
        monkeypatch.setenv("TELEGRAM_API_URL", telegram_api.url)
        monkeypatch.setenv("VIBER_AUTH_TOKEN", VIBER_TOKEN)
        monkeypatch.setenv(
            "VIBER_WEBHOOK_URL", "https://assistant.example.test/webhooks/viber/webhook"
        )
        monkeypatch.setenv("VIBER_API_URL", viber_api.url)
        yield telegram_api, viber_api


def test_staff_command_registers_and_removes_the_webhooks(staff_env, capsys):
    telegram_api, viber_api = staff_env
    assert teplo(["webhooks", "telegram", "set"]) == EXIT_OK
    (call,) = telegram_api.of("setWebhook")
    assert call.path == f"/bot{TELEGRAM_TOKEN}/setWebhook"
    assert call.body["url"] == "https://assistant.example.test/webhooks/telegram/webhook"
    assert call.body["secret_token"] == TELEGRAM_SECRET
    assert "callback_query" in call.body["allowed_updates"]
    assert teplo(["webhooks", "telegram", "delete"]) == EXIT_OK and telegram_api.of("deleteWebhook")

    assert teplo(["webhooks", "viber", "set"]) == EXIT_OK
    (call,) = viber_api.of("set_webhook")
    assert call.headers["X-Viber-Auth-Token"] == VIBER_TOKEN
    assert call.body["url"] == "https://assistant.example.test/webhooks/viber/webhook"
    assert call.body["event_types"] == EVENT_TYPES
    assert teplo(["webhooks", "viber", "delete"]) == EXIT_OK
    assert viber_api.of("set_webhook")[-1].body == {"url": ""}
    out = capsys.readouterr().out
    assert "встановлено" in out and "видалено" in out
    assert TELEGRAM_TOKEN not in out and TELEGRAM_SECRET not in out and VIBER_TOKEN not in out


def test_staff_command_refuses_plain_http_and_missing_settings(staff_env, monkeypatch, capsys):
    telegram_api, _ = staff_env
    monkeypatch.setenv(
        "TELEGRAM_WEBHOOK_URL", "http://assistant.example.test/webhooks/telegram/webhook"
    )
    assert teplo(["webhooks", "telegram", "set"]) == EXIT_FAILED
    monkeypatch.delenv("VIBER_AUTH_TOKEN")
    assert teplo(["webhooks", "viber", "set"]) == EXIT_FAILED
    assert telegram_api.calls == []
    err = capsys.readouterr().err
    assert "TELEGRAM_WEBHOOK_URL має починатися з https://" in err
    assert "змінна середовища VIBER_AUTH_TOKEN не задана" in err


def test_staff_command_reports_a_refusal(staff_env, capsys):
    telegram_api, _ = staff_env
    telegram_api.script(
        "setWebhook", {"ok": False, "error_code": 400, "description": "Bad Request: bad webhook"}
    )
    assert teplo(["webhooks", "telegram", "set"]) == EXIT_FAILED
    assert "Помилка: месенджер відмовив: " in (err := capsys.readouterr().err)
    assert "bad webhook" in err
