"""The console's key, sign-in throttle, session lifetimes and sign-in audit
(Starlette TestClient on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest

from console.auth import attempt_login
from console.config import load_config
from core.errors import StaffError
from tests.support.clock import set_clock
from tests.support.console import PASSWORDS, audit_actions, console_config, csrf_of


def configured(monkeypatch, **env):
    for name in ("CONSOLE_ENV", "CONSOLE_SECRET_KEY", "CONSOLE_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_config()


def test_development_on_loopback_gets_a_random_key_per_process(monkeypatch):
    first, second = configured(monkeypatch), configured(monkeypatch)
    assert len(first.secret_key) >= 32 and first.secret_key != second.secret_key
    assert configured(monkeypatch, CONSOLE_HOST="::1").secret_key != first.secret_key


@pytest.mark.parametrize(
    "env",
    [
        {"CONSOLE_HOST": "0.0.0.0"},
        {"CONSOLE_HOST": "10.0.0.5"},
        {"CONSOLE_ENV": "production"},
        {"CONSOLE_SECRET_KEY": "short-key"},
        {"CONSOLE_SECRET_KEY": "dev-only-console-secret-do-not-use-in-production"},
    ],
)
def test_no_fixed_default_or_short_key_outside_loopback_development(monkeypatch, env):
    with pytest.raises(StaffError, match="CONSOLE_SECRET_KEY"):
        configured(monkeypatch, **env)


def test_a_key_of_our_own_is_used_anywhere(monkeypatch):
    key = "k" * 40
    config = configured(monkeypatch, CONSOLE_HOST="0.0.0.0", CONSOLE_SECRET_KEY=key)
    assert config.secret_key == key


def test_parallel_wrong_passwords_cannot_exceed_the_throttle(console_data):
    config = console_config(login_failures=5, client_failures=100)

    async def burst():
        return await asyncio.gather(
            *(attempt_login(config, "olena", f"guess-{n}", "203.0.113.9") for n in range(16))
        )

    results = asyncio.run(burst())
    checked = [r for r in results if r.retry_after is None]
    assert len(checked) == 5 and all(r.user is None for r in checked)
    # Even the right password waits now.
    right = asyncio.run(attempt_login(config, "olena", PASSWORDS["olena"], "203.0.113.9"))
    assert right.retry_after is not None


def sign_in(client, username):
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORDS[username],
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )


def test_an_idle_admin_session_ends_and_an_active_one_ends_after_four_hours(client, monkeypatch):
    assert sign_in(client, "admin").status_code == 303
    set_clock(monkeypatch, "2026-11-20T10:29:00+02:00")
    assert client.get("/staff", follow_redirects=False).status_code == 200
    set_clock(monkeypatch, "2026-11-20T11:00:00+02:00")  # 31 minutes without a request
    response = client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")

    set_clock(monkeypatch, "2026-11-20T12:00:00+02:00")
    assert sign_in(client, "admin").status_code == 303
    for minute in range(20, 240, 20):  # busy all along
        set_clock(monkeypatch, f"2026-11-20T{12 + minute // 60:02d}:{minute % 60:02d}:00+02:00")
        assert client.get("/staff", follow_redirects=False).status_code == 200
    set_clock(monkeypatch, "2026-11-20T16:00:00+02:00")
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_a_clerk_session_survives_a_pause_but_not_its_eight_hours(client, monkeypatch):
    assert sign_in(client, "olena").status_code == 303
    set_clock(monkeypatch, "2026-11-20T13:00:00+02:00")
    assert client.get("/month", follow_redirects=False).status_code == 200
    set_clock(monkeypatch, "2026-11-20T18:00:00+02:00")
    assert client.get("/month", follow_redirects=False).status_code == 303


def test_sign_ins_and_failures_are_audited_without_passwords(client):
    page = client.get("/login")
    for username, password in (("olena", "my-secret-guess"), ("olena-password-typo", "x")):
        client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        )
    assert sign_in(client, "olena").status_code == 303
    entries = audit_actions(sign_ins=True)
    assert [(who, action) for who, action, *_ in entries] == [
        ("olena", "sign_in_failed"),
        ("(невідомий)", "sign_in_failed"),
        ("olena", "sign_in"),
    ]
    text = repr(entries)
    assert "my-secret-guess" not in text and PASSWORDS["olena"] not in text
    assert "olena-password-typo" not in text
