"""The deploy artifacts, checked without a Docker engine: the compose file parses
and every command, file, port and environment variable it names exists in the
project, every process gets the whole env file and the shared state; the
production nginx configuration passes `nginx -t`."""

from __future__ import annotations

import re
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Set

import pytest
import yaml

from core.configuration import BY_NAME
from core.settings import PROJECT_ROOT
from devtools.harness.nginx import Nginx, nginx_binary, nginx_installed
from tests.core.test_one_clock import PRODUCT_PACKAGES

DEPLOY = PROJECT_ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yml").read_text(encoding="utf-8"))
SERVICES: Dict[str, Dict] = COMPOSE["services"]
SOURCE_DIRS = PRODUCT_PACKAGES + ("scripts",)


def _placeholders(path: Path) -> Set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return set(re.findall(r"\$\{(\w+)\}", code))


def _project_text() -> str:
    """Everything that can read an environment variable: code, Rasa configs, scripts."""
    parts = [
        p.read_text(encoding="utf-8") for d in SOURCE_DIRS for p in (PROJECT_ROOT / d).rglob("*.py")
    ]
    parts += [p.read_text(encoding="utf-8") for p in PROJECT_ROOT.glob("*.yml")]
    return "\n".join(parts)


PROCESSES = {"migrate", "actions", "rasa-1", "rasa-2", "outbox", "console", "billing-api"}
OURS = PROCESSES | {"scheduler", "backup"}


def test_the_production_picture_is_complete():
    infrastructure = {"postgres", "redis", "models", "nginx", "scheduler", "backup"}
    assert PROCESSES | infrastructure <= set(SERVICES)
    assert SERVICES["postgres"]["image"].startswith("postgres:15")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    assert SERVICES["migrate"]["restart"] == "no"
    for name, service in SERVICES.items():
        if name != "migrate":
            assert service["restart"] == "unless-stopped", name
            assert "healthcheck" in service, name
    assert SERVICES["nginx"]["ports"] == ["80:80", "443:443"]
    # Only the proxy is public; the console and the billing API on the host's loopback.
    for name, service in SERVICES.items():
        if name != "nginx":
            assert all(p.startswith("127.0.0.1:") for p in service.get("ports", [])), name


def test_every_process_of_ours_gets_the_whole_env_file_and_the_shared_state():
    for name in OURS:
        assert SERVICES[name]["env_file"] == ["${TEPLO_ENV_FILE:-/etc/teplo/teplo.env}"], name
        assert SERVICES[name]["environment"]["ASSISTANT_MODE"] == "production", name
    for name in ("actions", "rasa-1", "rasa-2", "outbox", "console", "scheduler"):
        mounts = SERVICES[name]["volumes"]
        assert "attachments:/var/lib/teplo/attachments" in mounts, name
        assert "models:/var/lib/teplo/models" in mounts, name
    example = (DEPLOY / "teplo.env.example").read_text()
    assert "ATTACHMENTS_DIR=/var/lib/teplo/attachments" in example
    assert "MODEL_PUBLISH_DIR=/var/lib/teplo/models" in example
    assert "models:/var/lib/teplo/models:ro" in SERVICES["models"]["volumes"]


def test_images_are_built_from_files_that_exist():
    for service in SERVICES.values():
        build = service.get("build")
        if build:
            dockerfile = (DEPLOY / build["context"] / build["dockerfile"]).resolve()
            assert dockerfile.is_file(), dockerfile
            for source in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", dockerfile.read_text(), re.M):
                for name in source.split():
                    assert (PROJECT_ROOT / name).exists(), f"{dockerfile.name}: {name}"


def _module_exists(command: List[str]) -> bool:
    path = PROJECT_ROOT / command[command.index("-m") + 1].replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__main__.py").is_file()


def test_commands_name_modules_and_files_of_the_project():
    rasa = SERVICES["rasa-1"]["command"]
    assert rasa[:2] == ["rasa", "run"] and "--model" not in rasa  # pulled from the model server
    for flag in ("--endpoints", "--credentials", "--logging-config-file"):
        assert (PROJECT_ROOT / rasa[rasa.index(flag) + 1]).is_file()
    for name in ("migrate", "billing-api"):
        assert _module_exists(SERVICES[name]["entrypoint"]), name
    for name in ("outbox", "console", "scheduler"):
        assert _module_exists(SERVICES[name]["command"]), name
    assert (PROJECT_ROOT / SERVICES["scheduler"]["command"][3]).is_file()
    assert (PROJECT_ROOT / "actions" / "server.py").is_file()
    dockerfile = (DEPLOY / "Dockerfile.actions").read_text()
    assert 'ENTRYPOINT ["python", "-m", "actions.server"]' in dockerfile
    for name in ("nginx", "postgres", "models", "backup"):
        for mount in SERVICES[name]["volumes"]:
            source = mount.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).is_file(), source


def test_ports_agree_between_commands_health_checks_and_the_proxy():
    rasa = SERVICES["rasa-1"]["command"]
    port = rasa[rasa.index("--port") + 1]
    # The health checks ask the servers' own /health (database, Redis), not just "up".
    assert f":{port}/health'" in " ".join(SERVICES["rasa-1"]["healthcheck"]["test"])
    actions = SERVICES["actions"]["command"]
    action_port = actions[actions.index("--port") + 1]
    assert f":{action_port}/health'" in " ".join(SERVICES["actions"]["healthcheck"]["test"])
    example = (DEPLOY / "teplo.env.example").read_text()
    assert f"ACTION_SERVER_URL=http://actions:{action_port}/webhook" in example
    assert "RASA_MODEL_URL=http://models:8080/models/current.tar.gz" in example
    nginx = (DEPLOY / "nginx" / "nginx.conf").read_text()
    for replica in ("rasa-1", "rasa-2"):
        assert f"server {replica}:{port}" in nginx
    assert f"server actions:{action_port}" in nginx
    assert "listen 8080;" in (DEPLOY / "nginx" / "models.conf").read_text()


def test_every_variable_the_rasa_configs_need_is_catalogued_and_in_the_env_file():
    needed = _placeholders(DEPLOY / "rasa" / "endpoints.yml") | _placeholders(
        PROJECT_ROOT / "credentials.prod.yml"
    )
    example = set(re.findall(r"^(\w+)=", (DEPLOY / "teplo.env.example").read_text(), re.M))
    assert needed - example == set()
    assert needed - set(BY_NAME) == set()
    # ... and the replicas refuse to start without them (core.preflight --process rasa).
    assert needed <= {v.name for v in BY_NAME.values() if "rasa" in v.needed_by}
    assert example - set(BY_NAME) == set(), "every variable of the env file is documented"
    project = _project_text() + (DEPLOY / "compose.yml").read_text()
    project += (DEPLOY / "backup.sh").read_text()
    unread = sorted(name for name in example if name not in project)
    assert unread == [], f"in the env file but read nowhere: {unread}"


def test_the_replicas_share_conversations_and_pull_the_promoted_model():
    production = yaml.safe_load((DEPLOY / "rasa" / "endpoints.yml").read_text())
    assert production["tracker_store"]["type"] == "SQL"
    assert production["lock_store"]["type"] == "redis"
    models = production["models"]
    assert models["url"] == "${RASA_MODEL_URL}" and models["wait_time_between_pulls"] <= 30


def test_secrets_come_from_the_environment_only():
    text = (DEPLOY / "compose.yml").read_text(encoding="utf-8")
    for name in ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "TEPLO_OWNER_PASSWORD"):
        assert re.search(rf"\$\{{{name}:\?", text), f"{name} must be required from the environment"
    assert "CHANGE-ME" not in text and "TOKEN:" not in text


@pytest.mark.skipif(
    not nginx_installed(), reason="nginx not installed (scripts/ensure-system-packages)"
)
def test_the_production_proxy_configuration_is_valid(tmp_path):
    # The compose host names become loopback, the mounted certificates a
    # self-signed pair; everything else is the file as deployed.
    conf = (DEPLOY / "nginx" / "nginx.conf").read_text()
    conf = re.sub(r"server (rasa-\d|actions):", "server 127.0.0.1:", conf)
    conf = conf.replace("/etc/letsencrypt/live/teplo/", f"{tmp_path}/").replace(
        "/etc/nginx/", f"{DEPLOY}/nginx/"
    )
    conf = conf.replace("events {", f"pid {tmp_path}/nginx.pid;\nevents {{", 1)
    (tmp_path / "nginx.conf").write_text(conf)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=test",
        ]
        + ["-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        check=True,
        capture_output=True,
    )
    nginx = nginx_binary()
    result = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            str(tmp_path / "error.log"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


class _Upstream(BaseHTTPRequestHandler):
    """Stands in for a replica and an action server: answers every path."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = b"teplo_turns_total 1\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.skipif(
    not nginx_installed(), reason="nginx not installed (scripts/ensure-system-packages)"
)
def test_the_proxy_never_publishes_metrics_or_health(tmp_path):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = upstream.server_address[1]
    nginx = Nginx(tmp_path / "nginx", [port], [port])  # the production routes
    nginx.start()
    try:
        public = f"http://127.0.0.1:{nginx.port}"
        internal = f"http://127.0.0.1:{nginx.action_port}"
        assert _status(f"{public}/healthz") == 200  # the proxy does reach the upstream
        assert _status(f"{public}/metrics") == 404
        assert _status(f"{public}/health") == 404
        assert _status(f"{internal}/metrics") == 404
    finally:
        nginx.stop()
        upstream.shutdown()
