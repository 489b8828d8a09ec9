"""`teplo retrain check`: an evaluation already made, compared with the baseline."""

from __future__ import annotations

import argparse
from pathlib import Path

from retrain.common import Project
from staff.common import EXIT_FAILED, EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check",
        help="порівняти вже зроблену перевірку з еталоном (без навчання)",
        description="Код 1, якщо модель гірша за results/baseline.json; напр. після зміни "
        "допусків.",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="ТЕКА",
        help="тека звітів (типово results/nlu; нова модель — results/candidate)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    project = Project(args.project)
    return gate(project, args.report or project.reports)


def gate(project: Project, report_dir: Path) -> int:
    """EXIT_OK when the evaluation in `report_dir` is no worse than the baseline."""
    from retrain.pipeline import check

    print(f"Порівняння з {project.relative(project.baseline)}:")
    return EXIT_OK if check(project, report_dir).verdict.passed else EXIT_FAILED
