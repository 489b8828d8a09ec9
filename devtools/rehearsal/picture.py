"""The whole production picture on loopback, every process in its own OS process:
PostgreSQL, Redis, nginx, 2 Rasa replicas (Telegram and Viber channels against
the fake APIs), the action server, the outbox sender, the staff console, the
billing pull API and the scheduler of deploy/timers.yml; one business clock
for all of them (a clock file, `devtools.harness.clock.FileClock`).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

from devtools.harness.clock import FileClock
from devtools.harness.cluster import Cluster, Service
from devtools.harness.messengers import FakeApi
from devtools.harness.postgres import Postgres
from devtools.harness.processes import BIN, MODEL, ROOT, free_port, wait_for_http
from devtools.rehearsal.consumers import TELEGRAM_SECRET, TELEGRAM_TOKEN, VIBER_TOKEN
from devtools.rehearsal.resources import Meter

CREDENTIALS = """\
channels.monitoring.MonitoringChannel:
channels.telegram.TelegramChannel:
  token: "{tg_token}"
  bot_name: "RehearsalBot"
  webhook_url: "https://assistant.example.test/webhooks/telegram/webhook"
  secret_token: "{tg_secret}"
  api_url: "{tg_url}"
channels.viber.ViberChannel:
  auth_token: "{vb_token}"
  bot_name: "Показники"
  webhook_url: "https://assistant.example.test/webhooks/viber/webhook"
  api_url: "{vb_url}"
"""
TIMERS = ROOT / "deploy" / "timers.yml"


class Picture:
    """Starts everything (`start`), stops everything (`stop`); `meter` samples each
    process's CPU and peak memory while they run."""

    def __init__(self, workdir: Path, telegram: FakeApi, viber: FakeApi) -> None:
        self.workdir = workdir
        self.telegram, self.viber = telegram, viber
        self.clock = FileClock(workdir / "clock")
        self.drop_dir = workdir / "billing-drop"
        self.logs = workdir / "logs"
        # Its own temporary directory: as root the server runs as "postgres".
        self.postgres = Postgres(Path(tempfile.mkdtemp(prefix="rehearsal-pg-")))
        self.cluster: Optional[Cluster] = None
        self.services: List[Service] = []
        self.console_url = self.billing_url = ""
        self.meter = Meter()

    @property
    def url(self) -> str:
        assert self.cluster is not None
        return self.cluster.url

    def env(self) -> Dict[str, str]:
        assert self.cluster is not None
        return self.cluster.service_env()

    def extra_env(self) -> Dict[str, str]:
        """What every process of ours gets on top of the cluster's environment."""
        return {
            "ASSISTANT_CLOCK_FILE": str(self.clock.path),
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",  # the timers' `python`
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_API_URL": self.telegram.url,
            "VIBER_AUTH_TOKEN": VIBER_TOKEN,
            "VIBER_API_URL": self.viber.url,
            "OUTBOX_TELEGRAM_PER_SECOND": "30",
            "OUTBOX_VIBER_PER_SECOND": "30",
            "BILLING_DROP_DIR": str(self.drop_dir),
            "BILLING_CURSOR_KEY": secrets.token_hex(24),
            "ATTACHMENTS_DIR": str(self.workdir / "attachments"),
            "CONSOLE_SECRET_KEY": secrets.token_hex(24),
            "CONSOLE_PORT": str(free_port()),
            "BILLING_API_PORT": str(free_port()),
        }

    def start(self, moment) -> None:
        """Everything up, the business clock at `moment`."""
        self.clock.set(moment)
        self.drop_dir.mkdir(parents=True, exist_ok=True)
        self.postgres.create()
        credentials = self.workdir / "credentials.yml"
        credentials.write_text(
            CREDENTIALS.format(
                tg_token=TELEGRAM_TOKEN,
                tg_secret=TELEGRAM_SECRET,
                tg_url=self.telegram.url,
                vb_token=VIBER_TOKEN,
                vb_url=self.viber.url,
            ),
            encoding="utf-8",
        )
        extra = self.extra_env()
        os.environ["ASSISTANT_CLOCK_FILE"] = extra["ASSISTANT_CLOCK_FILE"]  # the driver's own reads
        self.cluster = Cluster(self.workdir, 2, 1, self.postgres.url, credentials, extra, MODEL)
        self.meter.watch("postgres", self.postgres_pid)
        self.meter.start()
        self.cluster.start()
        for service in self.cluster.actions + self.cluster.replicas:
            self.meter.watch(service.name, lambda s=service: s.process and s.process.pid)
        self.meter.watch("redis", lambda: self.cluster.redis.process.pid)
        self.meter.watch("nginx", lambda: self.cluster.nginx.process.pid)
        env = self.env()
        console_port, billing_port = extra["CONSOLE_PORT"], extra["BILLING_API_PORT"]
        python = str(BIN / "python")
        for name, command in (
            ("outbox", [python, "-m", "channels.outbox_sender"]),
            ("console", [python, "-m", "console"]),
            ("billing-api", [python, "-m", "billing_api", "--port", billing_port]),
            (
                "scheduler",
                [python, "-m", "staff.scheduler", str(TIMERS), "--skip", "backup"]
                + ["--tick", "0.5"],
            ),
        ):
            service = Service(name, command, env, self.logs / f"{name}.log")
            service.start()
            self.services.append(service)
            self.meter.watch(name, lambda s=service: s.process and s.process.pid)
        self.console_url = f"http://127.0.0.1:{console_port}"
        self.billing_url = f"http://127.0.0.1:{billing_port}"
        wait_for_http(f"{self.console_url}/health", 120, self.services[1].process)
        wait_for_http(f"{self.billing_url}/health", 120, self.services[2].process)

    def postgres_pid(self) -> Optional[int]:
        pid_file = self.postgres.data / "postmaster.pid"
        try:
            return int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def teplo(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        """A staff command (`teplo ...`) as the operator runs it, on the month's clock."""
        done = subprocess.run(
            [str(BIN / "python"), "-m", "staff", *args],
            cwd=ROOT,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )
        with (self.logs / "teplo.log").open("a", encoding="utf-8") as log:
            log.write(f"$ teplo {' '.join(args[:2])}\n{done.stdout}{done.stderr}")
        if done.returncode not in (0, 3):
            raise RuntimeError(f"teplo {' '.join(args)}: {done.returncode}\n{done.stderr[-2000:]}")
        return done

    def log_files(self) -> List[Path]:
        """Every log the picture wrote: our processes, nginx, Redis, PostgreSQL."""
        found = sorted(p for p in self.workdir.rglob("*.log") if p.is_file())
        found += sorted(p for p in self.postgres.root.glob("*.log") if p.is_file())
        return found

    def post_mortem(self) -> List[str]:
        """Which processes ended on their own, with the end of each one's log: what a
        failed rehearsal needs to say (the killed replica is among them on purpose)."""
        everyone = list(self.services)
        if self.cluster is not None:
            everyone = self.cluster.actions + self.cluster.replicas + everyone
        lines = []
        for service in everyone:
            code = service.process.poll() if service.process else None
            if code is not None:
                tail = (
                    service.log.read_text(errors="replace")[-1500:] if service.log.exists() else ""
                )
                lines += [f"-- {service.name} exited with {code}; its log ends:", tail]
        return lines or ["every process was still running"]

    def stop(self) -> None:
        self.meter.stop()
        for service in reversed(self.services):
            service.stop()
        if self.cluster is not None:
            self.cluster.stop()
        self.postgres.destroy()
