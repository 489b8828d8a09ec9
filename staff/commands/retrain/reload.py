"""`teplo retrain reload`: the running Rasa server loads models/current.tar.gz."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Optional

from core.errors import StaffError
from retrain import reload as server
from retrain.common import Project
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reload",
        help="завантажити models/current.tar.gz у запущений сервер",
        description="PUT /model через HTTP API Rasa з токеном RASA_API_TOKEN; розмови "
        "зберігаються.",
    )
    parser.add_argument(
        "--url",
        default=None,
        metavar="АДРЕСА",
        help=f"адреса сервера (типово RASA_URL або {server.DEFAULT_URL})",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        metavar="ФАЙЛ",
        help="інша модель (типово models/current.tar.gz; models/previous.tar.gz — попередня)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    project = Project(args.project)
    return reload_server(
        project, args.url or server.server_url(), quiet_if_down=False, model=args.model
    )


def reload_server(
    project: Project, url: str, quiet_if_down: bool, model: Optional[Path] = None
) -> int:
    """Asks the server at `url` to load the model; after `train`, a server that is down is fine."""
    token = os.environ.get("RASA_API_TOKEN", "")
    if not token:
        if quiet_if_down:
            print(
                "RASA_API_TOKEN не задано: запущений сервер візьме нову модель після "
                "перезапуску (make serve) або команди teplo retrain reload."
            )
            return EXIT_OK
        raise StaffError("задайте RASA_API_TOKEN — той самий, з яким запущено сервер")
    try:
        server.reload_model(model or project.current_model, url, token)
    except server.ServerUnreachable as error:
        if not quiet_if_down:
            raise
        print(f"{error}; нову модель він візьме під час наступного запуску.")
        return EXIT_OK
    print(f"Сервер {url} працює з новою моделлю; розмови збережено.")
    return EXIT_OK
