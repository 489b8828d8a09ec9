"""`teplo retrain …`: the retraining loop, one module per step (logic in `retrain/`)."""

from __future__ import annotations

from pathlib import Path

from retrain.common import ROOT
from staff.commands.retrain import (
    baseline,
    candidate,
    check,
    evaluate,
    inbox,
    intents,
    merge,
    promote,
    reload,
    train,
)
from staff.common import add_commands


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "retrain",
        description="Навчання асистента: нерозпізнані повідомлення → розмітка → нова модель "
        "через перевірку якості.",
        epilog="Покроково: docs/staff-guide.md, розділ «Навчання асистента».",
    )
    parser.add_argument(
        "--project", type=Path, default=ROOT, metavar="ТЕКА", help="тека проєкту (типово — ця)"
    )
    commands = add_commands(parser, "retrain_command")
    inbox.register(commands)
    intents.register(commands)
    merge.register(commands)
    evaluate.register(commands)
    check.register(commands)
    baseline.register(commands)
    train.register(commands)
    candidate.register(commands)
    promote.register(commands)
    reload.register(commands)
