"""`teplo billing keys`: API keys of billing systems that pull readings (billing_api/)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Optional

from core.billing.api_keys import list_keys
from core.db.engine import unit_of_work
from core.staff import maintenance
from staff.common import EXIT_OK, add_commands, as_cli
from staff.tables import render_table


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "keys",
        help="ключі доступу білінгу до API показників",
        description="Створення, перелік і відкликання ключів API. Ключ показується один раз; "
        "у базі зберігається лише його хеш.",
    )
    commands = add_commands(parser, "keys_command")
    create = commands.add_parser("create", help="створити ключ для клієнта")
    create.add_argument("name", metavar="НАЗВА", help="назва клієнта, напр. billing-main")
    create.set_defaults(handler=run_create)
    listing = commands.add_parser("list", help="усі ключі: створено, востаннє вжито, відкликано")
    listing.set_defaults(handler=run_list)
    revoke = commands.add_parser("revoke", help="відкликати ключ (далі — відмова 401)")
    revoke.add_argument("name", metavar="НАЗВА")
    revoke.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    info, token = as_cli(maintenance.create_api_key, args.name)
    # The key alone on stdout, so it can go straight into billing's configuration.
    print(token)
    print(
        f"Ключ «{info.name}» створено. Збережіть його зараз: показати його ще раз неможливо.",
        file=sys.stderr,
    )
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    with unit_of_work() as session:
        keys = list_keys(session)
    if not keys:
        print("Ключів ще немає: teplo billing keys create НАЗВА")
        return EXIT_OK
    rows = [
        [k.name, _when(k.created_at), _when(k.last_used_at) or "ще ні", _when(k.revoked_at) or "—"]
        for k in keys
    ]
    print(render_table(["назва", "створено", "востаннє вжито", "відкликано"], rows))
    return EXIT_OK


def run_revoke(args: argparse.Namespace) -> int:
    info = as_cli(maintenance.revoke_api_key, args.name)
    print(f"Ключ «{info.name}» відкликано {_when(info.revoked_at)}.")
    return EXIT_OK


def _when(moment: Optional[datetime]) -> str:
    return "" if moment is None else f"{moment:%d.%m.%Y %H:%M}"
