"""The timers (deploy/timers.yml) are the same three ways — systemd timers,
Kubernetes CronJobs, the compose scheduler — and the scheduler runs what is due."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from core.settings import KYIV, PROJECT_ROOT
from staff.scheduler import due_between, load_timers, run_due

DEPLOY = PROJECT_ROOT / "deploy"
TIMERS = yaml.safe_load((DEPLOY / "timers.yml").read_text())


def _on_calendar(cron: str) -> str:
    minute, hour = cron.split()[:2]
    return f"*-*-* {'*' if hour == '*' else hour.zfill(2)}:{minute.zfill(2)}:00"


def test_systemd_timers_match():
    for name, spec in TIMERS.items():
        timer = (DEPLOY / "systemd" / f"teplo-{name}.timer").read_text()
        assert f"OnCalendar={_on_calendar(spec['cron'])}" in timer, name
        service = (DEPLOY / "systemd" / f"teplo-{name}.service").read_text()
        start = re.search(r"^ExecStart=(.+)$", service, re.M).group(1).split()
        if spec["command"][0] == "python":
            assert start[0] == "/opt/teplo/.venv/bin/python" and start[1:] == spec["command"][1:]
        else:
            assert start[0] == spec["command"][0].replace("/app/", "/opt/teplo/")


def test_kubernetes_cronjobs_match():
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "cronjobs.yml").read_text())
    jobs = {d["metadata"]["name"]: d for d in documents if d["kind"] == "CronJob"}
    for name, spec in TIMERS.items():
        job = jobs[name]["spec"]
        assert job["schedule"] == spec["cron"] and job["timeZone"] == "Europe/Kyiv"
        container = job["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
        if spec["command"][0] == "python":
            assert container["command"] == spec["command"], name
        else:
            assert container["command"][-1].endswith(Path(spec["command"][0]).name)


def test_compose_runs_the_scheduler_on_this_file_and_the_backup_itself():
    services = yaml.safe_load((DEPLOY / "compose.yml").read_text())["services"]
    assert services["scheduler"]["command"] == [
        "python",
        "-m",
        "staff.scheduler",
        "deploy/timers.yml",
        "--skip",
        "backup",
    ]
    backup = services["backup"]["entrypoint"]
    assert backup[0] == TIMERS["backup"]["command"][0] and backup[1:] == ["--daily", "02:00"]
    assert TIMERS["backup"]["cron"] == "0 2 * * *"


def test_the_scheduler_runs_what_is_due_and_only_that(tmp_path):
    marker = tmp_path / "ran"
    timers_file = tmp_path / "timers.yml"
    command = [sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x')"]
    timers_file.write_text(
        yaml.safe_dump(
            {
                "hourly": {"cron": "5 * * * *", "command": command},
                "morning": {"cron": "50 9 * * *", "command": command},
                "elsewhere": {"cron": "0 2 * * *", "command": ["false"]},
            }
        )
    )
    timers = load_timers(timers_file, skip=["elsewhere"])
    assert run_due(timers, datetime(2026, 11, 20, 9, 50, tzinfo=KYIV)) == ["morning"]
    assert run_due(timers, datetime(2026, 11, 20, 13, 5, tzinfo=KYIV)) == ["hourly"]
    assert run_due(timers, datetime(2026, 11, 20, 2, 0, tzinfo=KYIV)) == []
    assert marker.read_text() == "xx"


def test_the_real_timers_file_loads():
    assert {t.name for t in load_timers(DEPLOY / "timers.yml")} == set(TIMERS)


def test_missed_runs_are_made_up_once_each_as_systemd_does(tmp_path):
    timers_file = tmp_path / "timers.yml"
    timers_file.write_text(
        yaml.safe_dump(
            {
                "hourly": {"cron": "5 * * * *", "command": ["true"]},
                "morning": {"cron": "50 9 * * *", "command": ["true"]},
                "night": {"cron": "30 3 * * *", "command": ["true"]},
            }
        )
    )
    timers = load_timers(timers_file)
    evening = datetime(2026, 11, 20, 18, 6, tzinfo=KYIV)
    # A night away: the hourly drop 15 times missed runs once, then the purge.
    names = [
        t.name for t in due_between(timers, evening, evening + timedelta(hours=15, minutes=44))
    ]
    assert names == ["hourly", "morning", "night"]
    assert due_between(timers, evening, evening + timedelta(minutes=50)) == []
