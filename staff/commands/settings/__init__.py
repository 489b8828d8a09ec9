"""`teplo settings …`: the month's submission window, tariffs and service contacts."""

from __future__ import annotations

from staff.commands.settings import contacts, show, tariffs, window
from staff.common import add_commands


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "settings",
        description="Налаштування місяця та довідкові дані, які показує асистент.",
    )
    commands = add_commands(parser, "settings_command")
    show.register(commands)
    window.register(commands)
    tariffs.register(commands)
    contacts.register(commands)
