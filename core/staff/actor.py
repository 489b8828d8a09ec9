"""Who acts from the command line, for the audit log: `teplo:<OS user>`."""

from __future__ import annotations

import getpass


def cli_actor() -> str:
    try:
        return "teplo:" + getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "teplo"
