"""`teplo attachments …`: the photos and documents consumers sent in the messengers."""

from __future__ import annotations

from staff.commands.attachments import listing, opening
from staff.common import add_commands


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "attachments",
        description="Фото лічильників і документи (акти заміни, повірки), які споживачі "
        "надіслали в Telegram чи Viber. Файли зберігаються в теці ATTACHMENTS_DIR "
        "(типово var/attachments) і видаляються разом із розмовами після строку "
        "зберігання (teplo privacy purge) або на прохання споживача.",
    )
    commands = add_commands(parser, "attachments_command")
    listing.register(commands)
    opening.register(commands)
