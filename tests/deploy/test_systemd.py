"""The systemd units of deploy/systemd/: a unit per process, a timer per
timer, every service sandboxed, and `systemd-analyze verify` without a word
(on copies whose /opt/teplo is a folder of stand-in executables)."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess

import pytest

from core.settings import PROJECT_ROOT

SYSTEMD = PROJECT_ROOT / "deploy" / "systemd"
SERVICES = sorted(SYSTEMD.glob("*.service"))
SANDBOX = (
    "User=teplo",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "ReadWritePaths=",
)


def test_a_unit_per_process_and_a_timer_per_timer():
    names = {p.name for p in SYSTEMD.iterdir()}
    for process in ("migrate", "actions", "rasa@", "outbox", "console", "billing-api"):
        assert f"teplo-{process}.service" in names, process
    for timer in ("plan-reminders", "billing-drop", "privacy-purge", "backup"):
        assert {f"teplo-{timer}.timer", f"teplo-{timer}.service"} <= names, timer
    target = (SYSTEMD / "teplo.target").read_text()
    for name in names - {"teplo.target", "teplo-rasa@.service"}:
        if name.endswith(".timer") or not (SYSTEMD / name.replace(".service", ".timer")).exists():
            assert name in target, name


@pytest.mark.parametrize("unit", SERVICES, ids=lambda p: p.name)
def test_every_service_is_sandboxed_and_reads_the_one_env_file(unit):
    text = unit.read_text()
    for line in SANDBOX:
        assert re.search(rf"^{re.escape(line)}", text, re.M), f"{unit.name}: {line}"
    assert "EnvironmentFile=/etc/teplo/teplo.env" in text
    assert "TEPLO_ENV_FILE=/etc/teplo/teplo.env" in text
    for module in re.findall(r"python -m ([\w.]+)", text):
        path = PROJECT_ROOT / module.replace(".", "/")
        assert path.with_suffix(".py").is_file() or (path / "__main__.py").is_file(), module
    for name in re.findall(r"--(?:endpoints|credentials|logging-config-file) (\S+)", text):
        assert (PROJECT_ROOT / name).is_file(), name
    if "Type=oneshot" not in text:
        assert "Restart=always" in text, unit.name


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify_finds_nothing(tmp_path):
    opt = tmp_path / "opt"
    for executable in (".venv/bin/python", ".venv/bin/rasa", "deploy/backup.sh"):
        path = opt / executable
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    units = tmp_path / "units"
    units.mkdir()
    for unit in SYSTEMD.iterdir():
        text = unit.read_text().replace("/opt/teplo", str(opt))
        name = unit.name.replace("@.service", "@5005.service")
        (units / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(p.name for p in units.iterdir())],
        cwd=units,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout + result.stderr == "", result.stdout + result.stderr
