"""The pull API as billing meets it: its own process on loopback, over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest

from devtools.harness.processes import free_port
from tests.support.billing import meter_ids, submit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(engine, seeded, tmp_path) -> Iterator[Tuple[str, Path]]:
    port = free_port()
    log = tmp_path / "api.log"
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "PYTHONPATH": str(ROOT),
    }
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "billing_api", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/health", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text(errors="replace")) from None
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(url: str, key: str = "") -> Tuple[int, Dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_billing_pulls_all_pages_over_http_and_the_log_holds_no_personal_data(server, staff):
    base, log = server
    key = staff("billing", "keys", "create", "billing-main").out.strip()
    ids = [submit(meter, "98765.4", minute) for minute, meter in enumerate(meter_ids(9))]

    assert get(f"{base}/v1/readings")[0] == 401
    assert get(f"{base}/v1/readings", "tpe_wrong")[0] == 401
    seen, cursor = [], ""
    while True:
        status, headers, body = get(f"{base}/v1/readings?limit=4&cursor={cursor}", key)
        assert status == 200
        page = json.loads(body)
        seen += [row["reading_id"] for row in page["readings"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == ids
    status, headers, body = get(f"{base}/v1/readings?format=csv", key)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert body.decode("utf-8").count("98765,4") == 9

    staff("billing", "keys", "revoke", "billing-main")
    assert get(f"{base}/v1/readings", key)[0] == 401

    time.sleep(0.3)  # let the server flush its log
    written = log.read_text(errors="replace")
    assert "client=billing-main status=200 rows=4" in written
    assert "client=- status=401" in written
    for secret in (key, "98765", "0100001"):
        assert secret not in written
