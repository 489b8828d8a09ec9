"""The assistant's version, from pyproject.toml (`teplo --version`, image tags)."""

from __future__ import annotations

import re

from core.settings import PROJECT_ROOT


def read_version() -> str:
    """`[project] version` of pyproject.toml (copied into every image)."""
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^\[project\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S)
    return match.group(1) if match else "0+unknown"


__version__ = read_version()

if __name__ == "__main__":
    print(__version__)
