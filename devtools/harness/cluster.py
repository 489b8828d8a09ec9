"""The production picture on one machine, on loopback: PostgreSQL, Redis, N Rasa
replicas, the action server(s) and nginx in front with the production routes.
The replicas run with the production endpoints (deploy/rasa/endpoints.yml) and
pull their model from the model server, as in production: `publish_model`
promotes another one to all of them.

Used by `make serve-cluster` (scripts/cluster.py), the fault tests
(tests/deploy/test_cluster_faults.py) and `make bench`. Everything it starts
it stops; nothing listens beyond 127.0.0.1. PostgreSQL is a throw-away server
unless a database URL is given.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from sqlalchemy import text
from sqlalchemy.engine import make_url

from devtools.harness.nginx import Nginx, readable_folder
from devtools.harness.postgres import Postgres
from devtools.harness.processes import BIN, MODEL, ROOT, free_port, stop_process, wait_for_http
from devtools.harness.redis import Redis
from retrain.reload import publish

TRACKER_DB = "rasa_tracker"
ENDPOINTS = ROOT / "deploy" / "rasa" / "endpoints.yml"


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
        stop_process(self.process)


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
        self.models = readable_folder("cluster-models-")
        self.nginx = Nginx(workdir / "nginx", self.rasa_ports, self.action_ports, self.models)
        self.credentials, self.extra_env, self.model = credentials, env, model
        self.replicas: List[Service] = []
        self.actions: List[Service] = []

    @property
    def url(self) -> str:
        """Where the messengers (and, in development, REST clients) send requests."""
        return f"http://127.0.0.1:{self.nginx.port}"

    def replica_urls(self) -> List[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    def service_env(self) -> Dict[str, str]:
        """The environment of every process of ours in the cluster (and beside it)."""
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
            "RASA_MODEL_URL": self.nginx.model_url,
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
        env = self.service_env()
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
                    [str(BIN / "rasa"), "run", "-i", "127.0.0.1", "--port", str(port)]
                    + ["--endpoints", str(ENDPOINTS)]
                    + ["--credentials", str(self.credentials)],
                    env,
                    logs / f"rasa-{index}.log",
                )
            )
        # The model server first: a replica pulls its model as it starts.
        self.publish_model(self.model)
        self.nginx.start()
        for service in self.actions + self.replicas:
            service.start()
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

    def publish_model(self, model: Path) -> None:
        """Promotes `model` as retraining does (retrain/reload.py): every replica
        loads it at its next pull (`wait_time_between_pulls`)."""
        publish(model, self.models)

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
        shutil.rmtree(self.models, ignore_errors=True)


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
