"""`teplo retrain baseline`: results/baseline.json from the last evaluation."""

from __future__ import annotations

import argparse

from retrain import gate
from retrain.common import Project
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "baseline",
        help="записати results/baseline.json з останньої перевірки (make evaluate)",
        description="Для першого запуску або після зміни тестового набору; допуски зберігаються.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrain.evaluation import load_figures

    project = Project(args.project)
    figures = load_figures(project.reports)
    gate.save_baseline(project.baseline, figures, project)
    print(
        f"Еталон записано: {project.relative(project.baseline)} "
        f"(точність {figures.accuracy:.4f}, {len(figures.f1)} намірів)"
    )
    return EXIT_OK
