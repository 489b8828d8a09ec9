"""The production picture on one machine, on loopback: PostgreSQL, Redis, N Rasa
replicas, the action server(s) and nginx in front with the production routes.

Used by `make serve-cluster` (scripts/serve-cluster), the fault tests
(tests/deploy/test_cluster_faults.py) and `make bench`. Everything it starts
it stops; nothing listens beyond 127.0.0.1.

    .venv/bin/python -m scripts.cluster --replicas 2 [--workdir DIR]

PostgreSQL is a throw-away server unless DATABASE_URL is given (then the
assistant's tables and the conversations go there).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "current.tar.gz"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
NGINX_ROUTES = ROOT / "deploy" / "nginx"
TRACKER_DB = "rasa_tracker"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, timeout: float, process: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open within {timeout:.0f} s")


def _stop(process: Optional[subprocess.Popen], timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Postgres:
    """A throw-away PostgreSQL 15 that can be restarted on the same port and data."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, command: List[str]) -> None:
        # initdb refuses to run as root; as root the server runs as "postgres".
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )
        self.start()

    def start(self) -> None:
        self._run(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-o",
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c max_connections=200 -c fsync=off -c full_page_writes=off",
                "start",
            ]
        )

    def stop(self) -> None:
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def restart(self, down_seconds: float = 0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


class Redis:
    """redis-server on a loopback port, without persistence (locks only)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=(self.root / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, 20)

    def stop(self) -> None:
        _stop(self.process)

    def restart(self, down_seconds: float = 0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


class Service:
    """One server process of ours (a Rasa replica or an action server)."""

    def __init__(self, name: str, command: List[str], env: Dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )

    def kill9(self) -> None:
        """The crash a test inflicts: no clean-up, no goodbye."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        _stop(self.process)


NGINX_CONF = """\
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    log_format routed '$request_uri $status $request_time $upstream_addr';
    access_log {root}/nginx-access.log routed;
    # Workers run as "nobody" when started by root and may not enter a private
    # workdir: answers are passed through without temp files.
    proxy_max_temp_file_size 0;
    upstream rasa_replicas {{
{rasa_servers}
    }}
    upstream action_servers {{
{action_servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        include {routes}/assistant-webhooks.conf;
        include {routes}/assistant-rest-dev.conf;
        root {web};
        include {routes}/assistant-webchat.conf;
    }}
    server {{
        listen 127.0.0.1:{action_port};
        include {routes}/assistant-actions.conf;
    }}
}}
"""


class Nginx:
    """nginx in front, with the production routes (deploy/nginx/assistant-*.conf)."""

    def __init__(self, root: Path, rasa_ports: List[int], action_ports: List[int]) -> None:
        self.root = root
        self.port, self.action_port = free_port(), free_port()
        self.rasa_ports, self.action_ports = rasa_ports, action_ports
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        servers = lambda ports: "\n".join(  # noqa: E731
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports
        )
        conf = self.root / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                root=self.root,
                rasa_servers=servers(self.rasa_ports),
                action_servers=servers(self.action_ports),
                port=self.port,
                action_port=self.action_port,
                routes=NGINX_ROUTES,
                web=ROOT / "web",
            )
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run([nginx, "-t", "-q", "-p", str(self.root), "-c", str(conf)], check=True)
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.root), "-c", str(conf), "-g", "daemon off;"],
            stdout=(self.root / "nginx.out").open("a"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, 20)

    def stop(self) -> None:
        _stop(self.process)

    def routed_to(self) -> List[str]:
        """The replica that answered each proxied webhook request so far, in order
        (after a failed try nginx logs "tried, answered"; the last one counts)."""
        log = self.root / "nginx-access.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [line.split()[-1] for line in lines if line.startswith("/webhooks/")]


class Cluster:
    def __init__(
        self,
        workdir: Path,
        replicas: int,
        action_servers: int,
        database_url: Optional[str],
        credentials: Path,
        env: Dict[str, str],
        model: Path,
    ) -> None:
        self.workdir = workdir
        # Its own temporary directory: the server runs as "postgres", who may not
        # enter the caller's workdir (pytest's are private to root).
        self.postgres = (
            None if database_url else Postgres(Path(tempfile.mkdtemp(prefix="cluster-pg-")))
        )
        self.database_url = database_url or (self.postgres.url if self.postgres else "")
        self.redis = Redis(workdir / "redis")
        self.rasa_ports = [free_port() for _ in range(replicas)]
        self.action_ports = [free_port() for _ in range(action_servers)]
        self.nginx = Nginx(workdir / "nginx", self.rasa_ports, self.action_ports)
        self.credentials, self.extra_env, self.model = credentials, env, model
        self.replicas: List[Service] = []
        self.actions: List[Service] = []

    @property
    def url(self) -> str:
        """Where the messengers (and, in development, REST clients) send requests."""
        return f"http://127.0.0.1:{self.nginx.port}"

    def replica_urls(self) -> List[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    def _env(self) -> Dict[str, str]:
        tracker = make_url(self.database_url)
        return {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            # One TensorFlow thread per replica: replicas, not threads, use the cores.
            "TF_INTRA_OP_PARALLELISM_THREADS": "1",
            "TF_INTER_OP_PARALLELISM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "SANIC_HOST": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.database_url,
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.nginx.action_port}/webhook",
            # The shared secret between the replicas and the action servers.
            "ACTION_SERVER_TOKEN": os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_hex(16),
            "TRACKER_DB_DIALECT": "postgresql",
            "TRACKER_DB_HOST": f"{tracker.host}:{tracker.port or 5432}",
            "TRACKER_DB_NAME": TRACKER_DB,
            "TRACKER_DB_USER": tracker.username or "",
            "TRACKER_DB_PASSWORD": tracker.password or "",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.redis.port),
            "REDIS_PASSWORD": "",
            "REDIS_DB": "0",
            **self.extra_env,
        }

    def _prepare_databases(self) -> None:
        from core.db.engine import make_engine
        from core.db.schema import upgrade_to_head

        engine = make_engine(self.database_url)
        try:
            upgrade_to_head(engine)
            if self.postgres is not None:  # a throw-away database: the demo subscribers
                from sqlalchemy.orm import Session

                from core.demo.seed import seed_demo
                from core.settings import get_settings

                with Session(engine, future=True) as session, session.begin():
                    seed_demo(session, get_settings().now())
            # The conversations' database, created here once rather than by
            # two replicas racing to create it.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": TRACKER_DB}
                ).first()
                if not exists:
                    connection.execute(text(f'CREATE DATABASE "{TRACKER_DB}"'))
        finally:
            engine.dispose()

    def start(self) -> None:
        if self.postgres is not None:
            self.postgres.create()
        self._prepare_databases()
        self.redis.start()
        env = self._env()
        logs = self.workdir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for index, port in enumerate(self.action_ports, 1):
            self.actions.append(
                Service(
                    f"actions-{index}",
                    [str(BIN / "python"), "-m", "actions.server", "--port", str(port)],
                    env,
                    logs / f"actions-{index}.log",
                )
            )
        for index, port in enumerate(self.rasa_ports, 1):
            self.replicas.append(
                Service(
                    f"rasa-{index}",
                    [str(BIN / "rasa"), "run", "--model", str(self.model), "-i", "127.0.0.1"]
                    + ["--port", str(port), "--endpoints", str(ROOT / "endpoints.cluster.yml")]
                    + ["--credentials", str(self.credentials)],
                    env,
                    logs / f"rasa-{index}.log",
                )
            )
        for service in self.actions + self.replicas:
            service.start()
        self.nginx.start()
        for service, port in zip(self.actions, self.action_ports):
            wait_for_http(f"http://127.0.0.1:{port}/health", 180, service.process)
        for service, port in zip(self.replicas, self.rasa_ports):
            self.wait_for_replica(service, port)

    @staticmethod
    def wait_for_replica(service: Service, port: int) -> None:
        # Loading the model takes 30 s on an idle 2-core machine, minutes on a busy one.
        wait_for_http(f"http://127.0.0.1:{port}/", 900, service.process)

    def restart_replica(self, index: int) -> None:
        """Starts a (killed) replica again and waits until it answers."""
        self.replicas[index].start()
        self.wait_for_replica(self.replicas[index], self.rasa_ports[index])

    def stop(self) -> None:
        self.nginx.stop()
        for service in self.replicas + self.actions:
            service.stop()
        self.redis.stop()
        if self.postgres is not None:
            try:
                self.postgres.stop()
            except subprocess.CalledProcessError:
                pass  # already down
            shutil.rmtree(self.postgres.root, ignore_errors=True)


@contextmanager
def running_cluster(
    workdir: Optional[Path] = None,
    replicas: int = 2,
    action_servers: int = 1,
    database_url: Optional[str] = None,
    credentials: Optional[Path] = None,
    env: Optional[Dict[str, str]] = None,
    model: Path = MODEL,
) -> Iterator[Cluster]:
    """Starts the whole cluster; stops everything it started on leaving."""
    with ExitStack() as stack:
        if workdir is None:
            workdir = Path(tempfile.mkdtemp(prefix="cluster-"))
            stack.callback(shutil.rmtree, workdir, True)
        workdir.mkdir(parents=True, exist_ok=True)
        if credentials is None:
            credentials = workdir / "credentials.yml"
            credentials.write_text("rest:\nchannels.monitoring.MonitoringChannel:\n")
        cluster = Cluster(
            workdir, replicas, action_servers, database_url, credentials, env or {}, model
        )
        try:
            cluster.start()
            yield cluster
        finally:
            cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS", 2)))
    parser.add_argument("--action-servers", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="logs and data (default: a temporary one)")
    parser.add_argument(
        "--credentials", type=Path, help="channels (default: REST only, development)"
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or None
    if database_url and not database_url.startswith("postgresql"):
        parser.error("DATABASE_URL must be PostgreSQL for the cluster (replicas share it)")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    print(f"starting {args.replicas} Rasa replica(s); about a minute ...", flush=True)
    with running_cluster(
        args.workdir,
        args.replicas,
        args.action_servers,
        database_url,
        args.credentials,
    ) as cluster:
        print(f"proxy (nginx):   {cluster.url}  (webhooks; REST in development)")
        for url in cluster.replica_urls():
            print(f"Rasa replica:    {url}")
        print(f"PostgreSQL:      {cluster.database_url}")
        print(f"Redis:           127.0.0.1:{cluster.redis.port}")
        print(f"logs:            {cluster.workdir}/logs   (Ctrl+C stops everything)", flush=True)
        try:
            while not stopping:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        print("stopping ...", flush=True)


if __name__ == "__main__":
    main()
