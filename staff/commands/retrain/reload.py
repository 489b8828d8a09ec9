"""`teplo retrain reload`: the running Rasa server loads models/current.tar.gz."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

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
    print(server.reload_promoted(model or project.current_model, url, quiet_if_down))
    return EXIT_OK
