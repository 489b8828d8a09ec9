"""nginx in front of our servers, with the production routes (deploy/nginx)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List, Optional

from devtools.harness.processes import ROOT, free_port, stop_process, wait_for_port

NGINX_ROUTES = ROOT / "deploy" / "nginx"

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
{servers}
}}
"""

ASSISTANT_SERVERS = """\
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
"""


def readable_folder(prefix: str) -> Path:
    """A new folder nginx's workers ("nobody" when started by root) may read:
    not under a private workdir or pytest's folders."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


def model_server_block(port: int, folder: Path) -> str:
    """deploy/nginx/models.conf as deployed, on a loopback port and serving `folder`."""
    block = (NGINX_ROUTES / "models.conf").read_text()
    block = block.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    return block.replace("/var/lib/teplo/models/", f"{folder}/")


def nginx_binary() -> str:
    """Debian's nginx: /usr/sbin is off a plain user's PATH, so look there too."""
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_installed() -> bool:
    return Path(nginx_binary()).exists()


class Nginx:
    """nginx with the production routes: in front of the assistant
    (deploy/nginx/assistant-*.conf) and, given a folder, the model server the
    replicas pull from (deploy/nginx/models.conf)."""

    def __init__(
        self,
        root: Path,
        rasa_ports: List[int],
        action_ports: List[int],
        models: Optional[Path] = None,
    ) -> None:
        self.root = root
        self.port, self.action_port = free_port(), free_port()
        self.rasa_ports, self.action_ports = rasa_ports, action_ports
        self.models = models
        self.models_port = free_port() if models is not None else 0
        self.process: Optional[subprocess.Popen] = None

    @property
    def model_url(self) -> str:
        """Where the replicas pull the promoted model (RASA_MODEL_URL)."""
        return f"http://127.0.0.1:{self.models_port}/models/current.tar.gz"

    def _servers(self) -> str:
        parts = []
        if self.rasa_ports:
            servers = lambda ports: "\n".join(  # noqa: E731
                f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports
            )
            parts.append(
                ASSISTANT_SERVERS.format(
                    rasa_servers=servers(self.rasa_ports),
                    action_servers=servers(self.action_ports),
                    port=self.port,
                    action_port=self.action_port,
                    routes=NGINX_ROUTES,
                    web=ROOT / "web",
                )
            )
        if self.models is not None:
            parts.append(model_server_block(self.models_port, self.models))
        return "\n".join(parts)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        conf = self.root / "nginx.conf"
        conf.write_text(NGINX_CONF.format(root=self.root, servers=self._servers()))
        nginx = nginx_binary()
        subprocess.run([nginx, "-t", "-q", "-p", str(self.root), "-c", str(conf)], check=True)
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.root), "-c", str(conf), "-g", "daemon off;"],
            stdout=(self.root / "nginx.out").open("a"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port if self.rasa_ports else self.models_port, 20)

    def stop(self) -> None:
        stop_process(self.process)

    def routed_to(self) -> List[str]:
        """The replica that answered each proxied webhook request so far, in order
        (after a failed try nginx logs "tried, answered"; the last one counts)."""
        log = self.root / "nginx-access.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [line.split()[-1] for line in lines if line.startswith("/webhooks/")]
