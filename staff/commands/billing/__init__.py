"""`teplo billing …`: files exchanged with the billing system and the automatic hand-over."""

from __future__ import annotations

from staff.commands.billing import drop, export, files, generate, import_, keys, links
from staff.common import add_commands


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "billing",
        description="Файли, якими асистент обмінюється з білінгом.",
    )
    commands = add_commands(parser, "billing_command")
    import_.register(commands)
    export.register(commands)
    generate.register(commands)
    drop.register(commands)
    files.register(commands)
    keys.register(commands)
    links.register(commands)
