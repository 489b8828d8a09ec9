"""`teplo retrain promote`: the model from `teplo retrain candidate` into service, if no worse."""

from __future__ import annotations

import argparse

from retrain import reload as server
from retrain.common import Project
from staff.commands.retrain.reload import reload_server
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "promote",
        help="поставити нову модель після teplo retrain candidate (лише якщо не гірша)",
        description="Ще раз порівнює нову модель з еталоном; якщо не гірша, вона стає "
        "models/current.tar.gz, еталон оновлюється, а запущений сервер перезавантажується "
        "(RASA_API_TOKEN, RASA_URL).",
    )
    parser.add_argument("--no-reload", action="store_true", help="не перезавантажувати сервер")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrain.pipeline import promote_checked

    project = Project(args.project)
    promote_checked(project)
    print(f"Нову модель поставлено: {project.relative(project.current_model)}.")
    if args.no_reload:
        return EXIT_OK
    return reload_server(project, server.server_url(), quiet_if_down=True)
