"""Fixtures of the console tests (helpers: tests/support/console.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from console.app import create_app
from tests.support.console import (
    PASSWORDS,
    ROOT,
    add_month_activity,
    add_staff,
    csrf_of,
    training_config,
    write_tracker_store,
)
from tests.support.conversations import write_conversations


@pytest.fixture
def console_data(seeded, now) -> None:
    add_staff(now)
    add_month_activity(now)


@pytest.fixture
def training_project(tmp_path, now, monkeypatch) -> Path:
    """A copy of what «Навчання» reads and writes, a tracker store, and the quick stand-in
    for the training command (CONSOLE_TRAINING_COMMAND)."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    for name in ("domain.yml", "config.yml", "endpoints.yml", "tests/nlu/test_nlu.yml"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, project / name)
    (project / "results").mkdir()
    shutil.copy(ROOT / "results" / "baseline.json", project / "results" / "baseline.json")
    (project / "models").mkdir()
    (project / "models" / "current.tar.gz").write_bytes(b"model in service")
    write_tracker_store(tmp_path / "tracker.db", now)
    monkeypatch.setenv("TRACKER_DB_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB_NAME", str(tmp_path / "tracker.db"))
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    return project


@pytest.fixture
def tracker(console_data, engine, training_project, tmp_path, monkeypatch, now) -> int:
    """«Розмови»: conversations in the tracker store (tests/support/conversations.py);
    the id of the case one of them led to."""
    return write_conversations(engine, training_project, tmp_path, monkeypatch, now)


@pytest.fixture
def client(console_data, training_project) -> Iterator[TestClient]:
    # https: the session cookie is Secure, as in production behind the proxy.
    app = create_app(training_config(training_project))
    with TestClient(app, base_url="https://testserver") as test_client:
        # A loaded CI machine may count a month for longer than the page's 0.6 s;
        # these tests read the figures, the slow path has its own test.
        test_client.app.state.figures.cold_wait = 30.0
        yield test_client


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
