"""`teplo retrain candidate`: train and judge a new model, leaving the one in service alone."""

from __future__ import annotations

import argparse

from retrain.common import Project
from staff.common import EXIT_FAILED, EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "candidate",
        help="перевірити дані, навчити й оцінити нову модель, не ставлячи її",
        description="Як make retrain, але нова модель лишається в models/candidate.tar.gz, а "
        "висновок перевірки — у results/candidate/verdict.json; поставити її: teplo retrain "
        "promote. Так працює кнопка «Навчити» в консолі. Код 1, якщо модель гірша.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrain.pipeline import prepare

    project = Project(args.project)
    # flush: the console follows the steps as they are printed
    outcome = prepare(project, say=lambda text: print(text, flush=True))
    if outcome.verdict.passed:
        print("Нова модель не гірша; поставити її: teplo retrain promote (або в консолі).")
        return EXIT_OK
    print("Нова модель гірша: її не можна поставити; працює попередня.")
    return EXIT_FAILED
