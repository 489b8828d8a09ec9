"""`teplo retrain intents`: the intent names staff may write into the review CSV."""

from __future__ import annotations

import argparse

from retrain import nludata
from retrain.common import Project
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "intents",
        help="список намірів із прикладами",
        description="Назви, які можна писати в колонку «Правильний намір».",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    project = Project(args.project)
    examples = nludata.examples_by_intent(nludata.scan(project.nlu_dir))
    for name in nludata.domain_intents(project.domain):
        shown = "; ".join(examples.get(name, [])[:3])
        print(f"{name:18} {shown}")
    return EXIT_OK
