"""The console under test: demo subscribers, two staff users, an HTTPS test client."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Callable, Iterator

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from console.app import create_app
from console.config import ConsoleConfig
from console.passwords import hash_password
from core.db.models import EventKind, StaffRole, StaffUser
from core.repository import accounts as accounts_repo
from core.repository import events as events_repo
from core.repository import readings as readings_repo
from core.senders import SenderKey
from tests.support.db import in_session

PASSWORDS = {"olena": "clerk-password-1", "admin": "admin-password-1"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


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


@pytest.fixture
def console_data(seeded, now) -> None:
    add_staff(now)
    add_month_activity(now)


@pytest.fixture
def client(console_data) -> Iterator[TestClient]:
    # https: the session cookie is Secure, as in production behind the proxy.
    with TestClient(create_app(console_config()), base_url="https://testserver") as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
def login(client) -> Callable[[str], TestClient]:
    def sign_in(username: str, password: str = "") -> TestClient:
        page = client.get("/login")
        response = client.post(
            "/login",
            data={
                "username": username,
                "password": password or PASSWORDS[username],
                "csrf_token": csrf_of(page.text),
                "next": "/month",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client

    return sign_in


def audit_actions() -> list:
    from core.db.models import AuditEntry

    return in_session(
        lambda s: [
            (e.username, e.action, e.before, e.after, e.reason)
            for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
        ]
    )
