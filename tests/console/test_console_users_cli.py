"""Staff accounts come from the command line: argon2 hashes, roles, disabling, audit."""

from __future__ import annotations

import io

from starlette.testclient import TestClient

from console.app import create_app
from core.db.models import StaffUser
from core.repository import staff_users as staff_users_repo
from staff.cli import main
from tests.support.console import audit_actions, console_config, csrf_of
from tests.support.db import in_session


def run(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def sign_in(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    ).status_code


def test_add_user_then_sign_in_and_disable(engine, monkeypatch, capsys):
    code, out = run(
        monkeypatch,
        capsys,
        "console-user",
        "add",
        "Petro",
        "--role",
        "clerk",
        "--name",
        "Петро Іваненко",
        "--password-stdin",
        stdin="long-enough-secret\n",
    )
    assert code == 0, out
    assert "додано: оператор" in out
    user = in_session(lambda s: staff_users_repo.staff_user(s, "petro"))
    assert user.password_hash.startswith("$argon2id$")
    assert "long-enough-secret" not in user.password_hash

    code, out = run(
        monkeypatch,
        capsys,
        "console-user",
        "add",
        "xy",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )
    assert code == 1 and "не коротший за 10" in out

    with TestClient(create_app(console_config()), base_url="https://testserver") as client:
        assert sign_in(client, "petro", "long-enough-secret") == 303
        assert client.get("/month").status_code == 200
        assert run(monkeypatch, capsys, "console-user", "disable", "petro")[0] == 0
        # The open session ends at once: the user is re-read on every request.
        assert client.get("/month", follow_redirects=False).status_code == 303
        assert sign_in(client, "petro", "long-enough-secret") == 401

    assert [a[1] for a in audit_actions()] == ["staff_user", "staff_user"]
    code, out = run(monkeypatch, capsys, "console-user", "list")
    assert "petro" in out and "Петро Іваненко" in out
    assert in_session(lambda s: s.query(StaffUser).count()) == 1
