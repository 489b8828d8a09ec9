"""Telling a running Rasa server to load the promoted model (HTTP API, `PUT /model`).

The server must run with `--enable-api --auth-token $RASA_API_TOKEN`
(scripts/run-stack does when RASA_API_TOKEN is set). Conversations survive the
swap because they live in the SQL tracker store, not in the model.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from core.errors import StaffError
from core.settings import env_str

DEFAULT_URL = "http://127.0.0.1:5005"


class ServerUnreachable(StaffError):
    """Nothing answers at the URL: no server to reload, the next start loads the model."""


def server_url() -> str:
    return env_str("RASA_URL", DEFAULT_URL)


def reload_promoted(model: Path, url: str, quiet_if_down: bool) -> str:
    """Asks the server at `url` to load `model`; returns what to tell staff.

    After a promotion a server that is down, or no RASA_API_TOKEN, is fine (the
    next start loads the model): `quiet_if_down` says so instead of raising.
    """
    token = env_str("RASA_API_TOKEN")
    if not token:
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
