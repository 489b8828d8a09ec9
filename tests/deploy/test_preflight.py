"""Production refuses to start half-configured, and never trains at start-up."""

from __future__ import annotations

import re
from pathlib import Path

from core.preflight import main, problems
from core.settings import PROJECT_ROOT

READY = {
    "ASSISTANT_MODE": "production",
    "OPERATOR_PHONE": "(0532) 61-23-45",
    "OPERATOR_HOURS": "пн–пт 8:00–17:00",
    "TELEGRAM_BOT_TOKEN": "7012345678:" + "A" * 35,
    "TELEGRAM_SECRET_TOKEN": "f3" * 16,
    "VIBER_AUTH_TOKEN": "4a1b" * 12,
    "DATABASE_URL": "postgresql+psycopg2://teplo:s3cret-pass-word@db:5432/teplo",
    "TRACKER_DB_DIALECT": "postgresql",
    "TRACKER_DB_PASSWORD": "s3cret-pass-word",
    "REDIS_PASSWORD": "9c" * 12,
}


def check(monkeypatch, tmp_path: Path, model: bool = True, **changes: str):
    environ = {**READY, **changes}
    environ = {k: v for k, v in environ.items() if v is not None}
    for name in ("DATABASE_URL", "OPERATOR_PHONE", "OPERATOR_HOURS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "current.tar.gz"
    if model:
        path.write_bytes(b"model")
    return problems(environ, path)


def test_a_complete_configuration_passes(monkeypatch, tmp_path):
    assert check(monkeypatch, tmp_path) == []


def test_demo_contacts_are_refused(monkeypatch, tmp_path):
    found = check(monkeypatch, tmp_path, OPERATOR_PHONE="(0532) 00-00-00 (демо-номер)")
    assert len(found) == 1 and "телефон" in found[0]


def test_staff_contacts_in_the_database_count(monkeypatch, tmp_path):
    environ = {k: v for k, v in READY.items() if not k.startswith("OPERATOR")}
    monkeypatch.delenv("OPERATOR_PHONE", raising=False)
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"m")
    stored = {"phone": "(0532) 61-23-45", "hours": "пн–пт 8–17"}
    assert problems(environ, model, stored) == []
    assert len(problems(environ, model, {})) == 2


def test_missing_and_short_secrets_are_refused(monkeypatch, tmp_path):
    found = check(monkeypatch, tmp_path, TELEGRAM_SECRET_TOKEN="", REDIS_PASSWORD="short")
    assert any("TELEGRAM_SECRET_TOKEN не задано" in p for p in found)
    assert any("REDIS_PASSWORD закороткий" in p for p in found)


def test_the_action_server_token_is_required_off_loopback(monkeypatch, tmp_path):
    assert check(monkeypatch, tmp_path, SANIC_HOST="127.0.0.1") == []
    for changes in (
        {"SANIC_HOST": "0.0.0.0"},
        {"ACTION_SERVER_URL": "http://actions:5055/webhook"},
        {"ACTION_SERVER_URL": "http://10.0.0.7:8055/webhook"},
    ):
        found = check(monkeypatch, tmp_path, **changes)
        assert found == ["секрет ACTION_SERVER_TOKEN не задано"], changes
        assert check(monkeypatch, tmp_path, ACTION_SERVER_TOKEN="ab" * 16, **changes) == []
    short = check(monkeypatch, tmp_path, SANIC_HOST="0.0.0.0", ACTION_SERVER_TOKEN="CHANGE-ME")
    assert short and "ACTION_SERVER_TOKEN закороткий" in short[0]


def test_sqlite_is_refused(monkeypatch, tmp_path):
    found = check(
        monkeypatch, tmp_path, DATABASE_URL="sqlite:///var/a.db", TRACKER_DB_DIALECT="sqlite"
    )
    assert len(found) == 2 and all("SQLite" in p for p in found)


def test_no_promoted_model_is_refused(monkeypatch, tmp_path):
    found = check(monkeypatch, tmp_path, model=False)
    assert len(found) == 1 and "make retrain" in found[0]


def test_the_command_lists_every_problem_and_fails(monkeypatch, capsys):
    for name in READY:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_MODE", "production")
    assert main([]) == 1
    err = capsys.readouterr().err
    assert "Асистент не запущено" in err and "DATABASE_URL" in err


def test_development_is_not_checked(monkeypatch):
    monkeypatch.delenv("ASSISTANT_MODE", raising=False)
    assert main([]) == 0


def test_serve_prod_never_trains():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    rule = re.search(r"^serve-prod:(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert rule is not None
    prerequisites, recipe = rule.groups()
    assert "$(MODEL)" not in prerequisites and "train" not in recipe
    assert "core.preflight" in recipe


def test_a_pinned_or_moved_clock_is_refused(monkeypatch, tmp_path):
    for name in ("ASSISTANT_NOW", "ASSISTANT_CLOCK_FILE"):
        found = check(monkeypatch, tmp_path, **{name: "2026-11-20T10:00:00+02:00"})
        assert len(found) == 1 and name in found[0] and "годинник" in found[0]
