"""Helpers of the console tests: configuration, staff users, month activity, the
training project's tracker store, CSRF tokens, the audit log."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Tuple

from sqlalchemy import select

from console.config import ConsoleConfig
from core.db.models import EventKind, OutboxKind, OutboxMessage, StaffRole, StaffUser
from core.passwords import hash_password
from core.repository import accounts as accounts_repo
from core.repository import events as events_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from tests.support.db import in_session

ROOT = Path(__file__).resolve().parents[2]


FAKE_TRAINING = ROOT / "tests" / "support" / "fake_training.py"


PASSWORDS = {"olena": "clerk-password-1", "admin": "admin-password-1"}


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SEND_FORM = re.compile(r'<form[^>]*id="send-form">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def console_config(**overrides) -> ConsoleConfig:
    values = dict(secret_key="t" * 40, production=True, secure_cookies=True)
    values.update(overrides)
    return ConsoleConfig(**values)


def add_staff(now: datetime) -> None:
    def work(session) -> None:
        for username, role, name in (
            ("olena", StaffRole.clerk, "Олена Коваль"),
            ("admin", StaffRole.admin, "Адміністратор"),
        ):
            session.add(
                StaffUser(
                    username=username,
                    full_name=name,
                    password_hash=hash_password(PASSWORDS[username]),
                    role=role.value,
                    active=True,
                    created_at=now,
                    session_epoch=0,
                )
            )

    in_session(work)


def add_month_activity(now: datetime) -> None:
    """This month: 0100004 linked in Telegram, readings from Telegram and Viber, refusals."""
    period = f"{now:%Y-%m}"

    def work(session) -> None:
        telegram, viber = (
            SenderKey("telegram", "telegram:5551234"),
            SenderKey("viber", "viber:AbCd99"),
        )
        for number, sender, day in (("0100004", telegram, 3), ("0100001", viber, 5)):
            account = accounts_repo.find_account(session, number)
            accounts_repo.link_account(session, sender, account, now - timedelta(days=30))
            for meter in accounts_repo.active_meters(session, account.id):
                previous = readings_repo.last_reading(session, meter.id)
                readings_repo.store_reading(
                    session,
                    meter.id,
                    period,
                    previous.value + Decimal("1.5"),
                    now.replace(day=day, hour=9),
                    sender.channel,
                    sender.sender_id,
                )
        for _ in range(3):
            events_repo.record_event(
                session, EventKind.reading_rejected, "lower_than_previous", "telegram", now
            )
        events_repo.record_event(session, EventKind.fallback, "", "viber", now)

    in_session(work)


# What consumers wrote that the assistant did not understand: (text, sender, intent, confidence).
MISUNDERSTOOD = [
    ("а шо там по грошах", "telegram:1", "ask_tariff", 0.41),
    ("А шо там по грошах?", "telegram:2", "ask_tariff", 0.38),
    ("а шо там по грошах", "viber:3", "ask_tariff", 0.44),
    ("лічильник 0473385 показує 1867,3 куди писати", "telegram:4", "submit_reading", 0.52),
    ("ываыва", "telegram:5", "greet", 0.21),
    ("Привіт", "telegram:6", "greet", 0.99),  # understood: not in the inbox
]


def write_tracker_store(path: Path, now: datetime) -> None:
    """Rasa's SQL tracker store table with the user messages above, a day old."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT,"
            " timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        for number, (text, sender, intent, confidence) in enumerate(MISUNDERSTOOD):
            fallback = confidence < 0.3
            ranking = [{"name": intent, "confidence": confidence}]
            parse = {
                "intent": {"name": "nlu_fallback", "confidence": 0.3} if fallback else ranking[0],
                "intent_ranking": (
                    [{"name": "nlu_fallback", "confidence": 0.3}] if fallback else []
                )
                + ranking,
            }
            at = (now - timedelta(days=1, minutes=number)).timestamp()
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                (sender, "user", at, json.dumps({"text": text, "parse_data": parse})),
            )


def training_config(project: Path, outcome: str = "better", **overrides) -> ConsoleConfig:
    return console_config(
        project_dir=str(project),
        training_command=f"{sys.executable} {FAKE_TRAINING} {{project}} {outcome}",
        **overrides,
    )


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def queued_broadcasts() -> List[Tuple[str, str, str]]:
    """The outbox's broadcast messages as (channel, sender, text), sorted."""
    query = select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.broadcast.value)
    return in_session(
        lambda s: sorted((m.channel, m.sender_id, m.text) for m in s.execute(query).scalars())
    )


def broadcast_confirmation(page: str) -> Dict[str, str]:
    """The hidden fields of «Розсилка»'s «Надіслати» form, as the browser would send them."""
    form = SEND_FORM.search(page)
    assert form, "the page has no confirmation form"
    return {name: html.unescape(value) for name, value in HIDDEN.findall(form.group(1))}


def audit_actions(sign_ins: bool = False, reads: bool = False) -> list:
    """The audit log as (who, action, before, after, reason); sign-ins and reads of
    personal data (`read_…`) only if asked."""
    from core.db.models import AuditEntry

    return in_session(
        lambda s: [
            (e.username, e.action, e.before, e.after, e.reason)
            for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
            if (sign_ins or not e.action.startswith("sign_in"))
            and (reads or not e.action.startswith("read_"))
        ]
    )
