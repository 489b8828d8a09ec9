"""`teplo retrain evaluate`: the model on the held-out phrases, compared with the baseline."""

from __future__ import annotations

import argparse
from pathlib import Path

from retrain.common import Project
from staff.commands.retrain.check import gate
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="перевірити модель на тестових фразах і порівняти з еталоном",
        description="Звіти в results/nlu/: intent_report.json, intent_confusion_matrix.png, "
        "intent_errors.json і misclassified.csv. Код 1, якщо модель гірша за "
        "results/baseline.json.",
    )
    parser.add_argument(
        "--model", type=Path, metavar="ФАЙЛ", help="модель (типово models/current.tar.gz)"
    )
    parser.add_argument("--no-gate", action="store_true", help="не порівнювати з еталоном")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrain.evaluation import CONFIDENT, confidently_wrong, evaluate

    project = Project(args.project)
    model = args.model or project.current_model
    figures = evaluate(model, project.reports, project)
    worst = sorted(figures.f1.items(), key=lambda item: item[1])[:5]
    print(
        f"Точність розпізнавання намірів: {figures.accuracy:.4f} на {figures.examples} "
        "тестових фразах"
    )
    print("Найнижча F1: " + ", ".join(f"{name} {f1:.2f}" for name, f1 in worst))
    sure = confidently_wrong(project.reports)
    print(
        f"Помилки з упевненістю ≥ {CONFIDENT:.1f}: {len(sure)} "
        f"({len(sure) / max(figures.examples, 1):.1%} тестових фраз)"
    )
    print(
        f"Звіти: {project.relative(project.reports)}/ (intent_report.json, "
        "intent_confusion_matrix.png, intent_errors.json, misclassified.csv)"
    )
    if args.no_gate:
        return EXIT_OK
    return gate(project, project.reports)
