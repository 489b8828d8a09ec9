"""Bringing the promoted model to the running Rasa servers.

Production (every replica): promotion publishes the model as
`MODEL_PUBLISH_DIR/current.tar.gz`, the file the model server (nginx,
deploy/nginx/models.conf) serves at RASA_MODEL_URL; every replica asks for it
every `wait_time_between_pulls` seconds with the last ETag
(deploy/rasa/endpoints.yml) and loads it when it changed. The file is replaced
atomically, so a replica never downloads half a model.

One server (`make serve`): `PUT /model` on the HTTP API; the server must run
with `--enable-api --auth-token $RASA_API_TOKEN` (scripts/run-stack does when
RASA_API_TOKEN is set). Conversations survive either swap because they live in
the SQL tracker store, not in the model.
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from core.errors import StaffError
from core.settings import env_str

DEFAULT_URL = "http://127.0.0.1:5005"
PUBLISHED_NAME = "current.tar.gz"
# deploy/rasa/endpoints.yml `models.wait_time_between_pulls`.
PULL_SECONDS = 10


class ServerUnreachable(StaffError):
    """Nothing answers at the URL: no server to reload, the next start loads the model."""


def server_url() -> str:
    return env_str("RASA_URL", DEFAULT_URL)


def reload_promoted(model: Path, url: str, quiet_if_down: bool) -> str:
    """Publishes `model` for every replica (MODEL_PUBLISH_DIR) and, with
    RASA_API_TOKEN, asks the server at `url` to load it; returns what to tell staff.

    After a promotion a server that is down, or no RASA_API_TOKEN, is fine (the
    next start loads the model): `quiet_if_down` says so instead of raising.
    """
    published = ""
    folder = env_str("MODEL_PUBLISH_DIR")
    if folder:
        publish(model, Path(folder))
        published = (
            f"Модель опубліковано на сервері моделей: кожна репліка візьме її протягом "
            f"{PULL_SECONDS} с; розмови збережено."
        )
    token = env_str("RASA_API_TOKEN")
    if not token:
        if published:
            return published
        if quiet_if_down:
            return (
                "RASA_API_TOKEN не задано: запущений сервер візьме нову модель після "
                "перезапуску (make serve) або команди teplo retrain reload."
            )
        raise StaffError("задайте RASA_API_TOKEN — той самий, з яким запущено сервер")
    try:
        reload_model(model, url, token)
    except ServerUnreachable as error:
        if not quiet_if_down:
            raise
        return f"{error}; нову модель він візьме під час наступного запуску."
    return f"Сервер {url} працює з новою моделлю; розмови збережено."


def publish(model: Path, folder: Path) -> Path:
    """Puts `model` where the replicas pull it, atomically (a new inode, so a new ETag)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PUBLISHED_NAME
    if target.exists() and target.resolve() == model.resolve():
        return target
    partial = folder / f".{PUBLISHED_NAME}.partial"
    shutil.copyfile(model, partial)
    partial.replace(target)
    return target


def reload_model(model: Path, url: str, token: str, timeout: float = 600) -> None:
    """Makes the server at `url` replace its model with `model` (a path it can read)."""
    query = urllib.parse.urlencode({"token": token})
    request = urllib.request.Request(
        f"{url.rstrip('/')}/model?{query}",
        method="PUT",
        data=json.dumps({"model_file": str(model.resolve())}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return
    except urllib.error.HTTPError as error:
        hint = " (перевірте RASA_API_TOKEN)" if error.code in (401, 403) else ""
        raise StaffError(f"сервер {url} не завантажив модель: HTTP {error.code}{hint}") from error
    except (urllib.error.URLError, ConnectionError) as error:
        raise ServerUnreachable(f"сервер асистента не відповідає за адресою {url}") from error
