"""The real assistant for end-to-end tests and benchmarks: the action server and
the Rasa server as subprocesses on free loopback ports, stopped afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

from devtools.harness.processes import BIN, MODEL, ROOT, free_port, stop_process, wait_for_http

# The shared secret between Rasa and the action server in every test stack.
ACTION_TOKEN = "test-action-server-token-0123456789abcdef"


class RunningStack:
    def __init__(self, rasa_url: str, action_url: str, workdir: Path) -> None:
        self.rasa_url = rasa_url
        self.action_url = action_url
        self.workdir = workdir

    def say(self, sender: str, text: str) -> List[Dict]:
        """Sends a message through the REST channel; returns the bot's messages."""
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


@contextmanager
def running_stack(
    workdir: Path,
    env: Optional[Dict[str, str]] = None,
    credentials: Optional[Path] = None,
    endpoints_extra: str = "",
    model: Path = MODEL,
    rasa_args: Sequence[str] = (),
) -> Iterator[RunningStack]:
    """Starts both servers with `env` added to the environment (DATABASE_URL, ...).

    `rasa_args` go to `rasa run` as they are (e.g. --enable-api --auth-token T).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  enable_selective_domain: true\n"  # as endpoints.yml
        f'  headers:\n    X-Action-Token: "{ACTION_TOKEN}"\n' + endpoints_extra
    )
    if credentials is None:
        credentials = workdir / "credentials.yml"
        credentials.write_text("channels.rest.RestInput:\nchannels.monitoring.MonitoringChannel:\n")
    process_env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SANIC_HOST": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        "ACTION_SERVER_TOKEN": ACTION_TOKEN,
        **(env or {}),
    }
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    actions = subprocess.Popen(
        [str(BIN / "python"), "-m", "actions.server", "--port", str(action_port)],
        cwd=ROOT,
        env=process_env,
        stdout=action_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    rasa = None
    try:
        wait_for_http(f"http://127.0.0.1:{action_port}/health", 180, actions, action_log)
        rasa = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "--model",
                str(model),
                "-i",
                "127.0.0.1",
                "--port",
                str(rasa_port),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(credentials),
                *rasa_args,
            ],
            cwd=ROOT,
            env=process_env,
            stdout=rasa_log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_for_http(f"http://127.0.0.1:{rasa_port}/", 180, rasa, rasa_log)
        yield RunningStack(
            f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}", workdir
        )
    finally:
        if rasa is not None:
            stop_process(rasa)
        stop_process(actions)
