"""A month in production, rehearsed at its small size (`make rehearsal` is the
large one): every process of the picture on loopback, a compressed January on
one moved clock, and the rehearsal's own checks (devtools/rehearsal/checks.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from channels.telegram import SECRET_HEADER
from channels.viber import SIGNATURE_HEADER
from devtools.harness.processes import MODEL, ROOT
from devtools.rehearsal import consumers

CHECKS = (
    "every stored reading in exactly one drop row",
    "the pull API gave the same rows, once each",
    "reminders of the 25th: each owing user once, nobody else",
    "the console's figures for 2027-01 equal the database",
    "forget-me: links gone at once, conversations gone after the purge",
    "«Це не я»: the newcomer's link waits for staff",
    "nothing personal in any log",
)


def test_the_consumers_sign_their_webhooks_as_the_channels_expect():
    assert consumers.TELEGRAM_SECRET_HEADER == SECRET_HEADER
    assert consumers.VIBER_SIGNATURE_HEADER == SIGNATURE_HEADER


@pytest.mark.cluster
@pytest.mark.skipif(not MODEL.exists(), reason="train the model first (make train)")
def test_a_small_month_passes_every_check():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ASSISTANT_NOW", None)  # the rehearsal moves its own clock
    done = subprocess.run(
        [sys.executable, "-m", "devtools.rehearsal", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    print(done.stdout[-4000:])
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    for check in CHECKS:
        assert f"ok   {check}" in done.stdout
    assert "CPU s" in done.stdout and "scheduler" in done.stdout
