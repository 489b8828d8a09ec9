"""The action server listens on loopback and, with a shared secret configured,
refuses every call that does not carry it in the header (rasa-sdk itself
trusts any tracker); off loopback it does not start without one."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request

import pytest

from actions.server import TOKEN_HEADER
from devtools.harness.processes import BIN, ROOT, free_port, stop_process, wait_for_http

TOKEN = "a-long-shared-secret-for-the-action-server-42"


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    port = free_port()
    workdir = tmp_path_factory.mktemp("actions")
    log = workdir / "actions.log"
    env = {
        **os.environ,
        "ACTION_SERVER_TOKEN": TOKEN,
        "PYTHONPATH": str(ROOT),
        # /health answers 200 only while the database does.
        "DATABASE_URL": f"sqlite:///{workdir / 'assistant.db'}",
    }
    env.pop("SANIC_HOST", None)  # the default must be loopback
    process = subprocess.Popen(
        [str(BIN / "python"), "-m", "actions.server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", 180, process, log)
        yield port, log
    finally:
        stop_process(process)


def call(port: int, query: str = "", token: str = "") -> int:
    body = json.dumps({"next_action": "action_show_contacts", "tracker": {}}).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers[TOKEN_HEADER] = token
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhook{query}", data=body, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_calls_without_the_secret_are_refused(action_server):
    port, _ = action_server
    assert call(port) == 401
    assert call(port, token="wrong") == 401
    assert call(port, "?token=wrong") == 401
    # Not even the right one in the URL: URLs end up in access logs.
    assert call(port, f"?token={TOKEN}") == 401
    assert call(port, f"?token={TOKEN}", token=TOKEN) == 401


def test_health_needs_no_secret_and_the_server_is_on_loopback_only(action_server):
    port, log = action_server
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
        assert response.status == 200
    assert "127.0.0.1" in log.read_text() and "0.0.0.0" not in log.read_text()


def test_calls_with_the_secret_reach_the_actions(action_server):
    port, _ = action_server
    assert call(port, token=TOKEN) != 401


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3"])
def test_off_loopback_it_refuses_to_start_without_the_secret(host):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SANIC_HOST": host, "ACTION_SERVER_TOKEN": ""}
    finished = subprocess.run(
        [str(BIN / "python"), "-m", "actions.server", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 2 and "ACTION_SERVER_TOKEN" in finished.stderr
