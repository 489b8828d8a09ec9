"""`teplo retrain train`: validate, train, evaluate; promote the model only if no worse."""

from __future__ import annotations

import argparse

from retrain import reload as server
from retrain.common import Project
from staff.commands.retrain.reload import reload_server
from staff.common import EXIT_FAILED, EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train",
        help="перевірити дані, навчити, оцінити; замінити модель, лише якщо не гірша",
        description="Те саме, що make retrain. Після заміни модель перезавантажується в "
        "запущеному сервері, якщо задано RASA_API_TOKEN (і RASA_URL, типово "
        f"{server.DEFAULT_URL}).",
    )
    parser.add_argument("--no-reload", action="store_true", help="не перезавантажувати сервер")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrain.pipeline import retrain

    project = Project(args.project)
    outcome = retrain(project)
    if not outcome.promoted:
        print(
            "Нову модель НЕ прийнято: працює попередня. Виправте або приберіть фрази, "
            "через які погіршилось розпізнавання, і запустіть make retrain знову. "
            f"Усі помилки нової моделі: {project.relative(project.candidate_reports)}/"
            "misclassified.csv"
        )
        return EXIT_FAILED
    print(
        f"Нову модель прийнято: {project.relative(project.current_model)}, еталон оновлено "
        f"({project.relative(project.baseline)})."
    )
    if args.no_reload:
        return EXIT_OK
    return reload_server(project, server.server_url(), quiet_if_down=True)
