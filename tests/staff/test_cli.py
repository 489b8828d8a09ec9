"""`teplo` as a whole: every command's help in Ukrainian and unbroken, errors, exit codes,
and the console command installed by `make install`."""

from __future__ import annotations

import argparse
import ast
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Set, Tuple

import pytest

from staff.cli import build_parser
from staff.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from staff.ukrainian_argparse import MESSAGES, PLURALS

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / ".venv" / "bin" / "teplo"

# A sample that must be among the commands found below, so the walk is not vacuous.
KNOWN = {
    (),
    ("billing", "import"),
    ("billing", "export"),
    ("billing", "generate"),
    ("settings", "show"),
    ("settings", "window"),
    ("settings", "tariffs"),
    ("settings", "contacts"),
    ("stats",),
    ("retrain", "inbox"),
    ("retrain", "intents"),
    ("retrain", "merge"),
    ("retrain", "evaluate"),
    ("retrain", "check"),
    ("retrain", "baseline"),
    ("retrain", "train"),
    ("retrain", "candidate"),
    ("retrain", "promote"),
    ("retrain", "reload"),
    ("webhooks",),
    ("init-db",),
}

# Latin words help may contain besides option names, command names, choices, paths,
# file names and environment variables: names of products and protocols.
LATIN_ALLOWED = {"teplo", "make", "Excel", "Telegram", "Viber", "Rasa", "webhook", "HTTPS"}


def command_paths(parser: argparse.ArgumentParser, path: Tuple[str, ...] = ()) -> Iterator:
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from command_paths(sub, (*path, name))


COMMANDS = sorted(command_paths(build_parser()))


def names_and_choices(parser: argparse.ArgumentParser) -> Set[str]:
    """Every command name and choice value anywhere in the tree: these stay in Latin."""
    found: Set[str] = set()
    for action in parser._actions:
        found.update(str(choice) for choice in action.choices or ())
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= names_and_choices(sub)
    return found


def test_the_walk_finds_every_command():
    assert KNOWN <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "teplo")
def test_help_is_entirely_ukrainian(command, staff, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = staff(*command, "--help")
    assert result.code == EXIT_OK and result.err == ""
    text = result.out
    assert text.startswith(f"використання: teplo {' '.join(command)}".rstrip())
    assert "показати цю довідку й вийти" in text
    for english in ("usage", "options", "show this help", "positional arguments", "arguments"):
        assert english not in text

    # What remains in Latin letters once technical tokens are set aside is a product name.
    technical = re.compile(r"[-_/.:@+0-9]|^[A-Z0-9_]{2,}$")
    latin = {
        word
        for token in text.split()
        for word in [token.strip("()[]{},;«»\"'")]
        if re.search(r"[A-Za-z]", word) and not technical.search(word)
    }
    assert latin - names_and_choices(build_parser()) - LATIN_ALLOWED == set()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "teplo")
def test_help_wraps_at_the_terminal_width_without_breaking_words(command, staff, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")
    unwrapped = set(staff(*command, "--help").out.split())
    for columns in (52, 82):  # argparse keeps 2 columns free
        monkeypatch.setenv("COLUMNS", str(columns))
        wrapped = staff(*command, "--help").out
        # A word cut at the line end (or at a hyphen) would be two words that a wide
        # terminal never shows.
        assert set(wrapped.split()) <= unwrapped, columns
    for line in wrapped.splitlines():
        # On an 80-column terminal only a word longer than any line (the CSV header)
        # may stick out.
        assert len(line) <= 80 or len(line.split()) == 1, line


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nonsense"], "аргумент КОМАНДА: неприпустиме значення 'nonsense' (можливі: 'billing',"),
        ([], "бракує обов’язкових аргументів: КОМАНДА"),
        (["settings"], "бракує обов’язкових аргументів: КОМАНДА"),
        (["stats"], "бракує обов’язкових аргументів: --period"),
        (["stats", "--period", "11.2026"], "період «11.2026» має бути у форматі РРРР-ММ"),
        (["stats", "--period", "2026-11", "--bogus"], "невідомі аргументи: --bogus"),
        (["billing", "export", "--period", "2026-11", "--encoding", "koi8"], "'koi8' (можливі:"),
        (["billing", "generate", "a.csv", "--accounts", "many"], "«many» — не ціле число"),
        (["retrain", "inbox", "--threshold", "2"], "число від 0 до 1"),
        (["webhooks", "telegram"], "бракує обов’язкових аргументів: ДІЯ"),
        (["stats", "--period"], "аргумент --period: потрібне одне значення"),
    ],
)
def test_bad_usage_is_explained_in_ukrainian_with_code_2(argv, message, staff):
    result = staff(*argv)
    assert result.code == EXIT_USAGE and result.out == ""
    assert result.err.startswith("використання: teplo")
    assert ": помилка: " in result.err and message in result.err
    assert "error" not in result.err and "usage" not in result.err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["settings", "contacts"], "вкажіть --phone, --hours, --email або --reset"),
        (
            ["retrain", "inbox", "--from", "2026-11-30", "--to", "2026-11-01"],
            "кінець періоду раніше за початок",
        ),
        (["webhooks", "telegram", "info"], "змінна середовища TELEGRAM_BOT_TOKEN не задана"),
    ],
)
def test_a_staff_error_is_one_line_and_code_1(argv, message, staff, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    result = staff(*argv)
    assert result.code == EXIT_FAILED and result.out == ""
    assert result.err == f"Помилка: {message}\n"


def test_every_argparse_message_has_a_translation():
    """argparse's own sentences, read from its source, so a Python upgrade cannot slip
    English in."""
    tree = ast.parse(inspect.getsource(argparse))
    singular, plural = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if node.func.id == "_":
                    singular.add(first.value)
                elif node.func.id == "ngettext":
                    plural.add(first.value)
    assert singular and plural
    assert singular - set(MESSAGES) == set()
    assert plural - set(PLURALS) == set()


def test_init_db_creates_the_schema_and_is_repeatable(tmp_path, staff):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    try:
        assert staff("--database-url", url, "init-db").code == EXIT_OK
        assert staff("--database-url", url, "init-db").code == EXIT_OK
        assert staff("--database-url", url, "stats", "--period", "2026-11").code == EXIT_OK
    finally:
        from core.db.engine import use_engine

        use_engine(None)


def test_database_errors_are_reported_without_traceback(tmp_path, staff):
    url = f"sqlite:///{tmp_path / 'empty.db'}"  # no tables
    try:
        result = staff("--database-url", url, "stats", "--period", "2026-11")
    finally:
        from core.db.engine import use_engine

        use_engine(None)
    assert result.code == EXIT_FAILED and result.err.startswith("Помилка бази даних:")
    assert len(result.err.splitlines()) == 1


def run_outside(argv, cwd: Path) -> subprocess.CompletedProcess:
    """A command as staff type it in a fresh shell: no venv activated, no PYTHONPATH."""
    env = {"PATH": f"{LAUNCHER.parent}:/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_teplo_command_works_from_any_directory(tmp_path):
    if not LAUNCHER.exists():
        pytest.fail(".venv/bin/teplo is missing: run `make install`")
    assert LAUNCHER.read_bytes() == (ROOT / "scripts" / "teplo").read_bytes(), (
        ".venv/bin/teplo is out of date: run `make install`"
    )
    assert os.access(LAUNCHER, os.X_OK)
    elsewhere = tmp_path / "desk"
    elsewhere.mkdir()

    shown = run_outside(["teplo", "--help"], elsewhere)
    assert shown.returncode == EXIT_OK and shown.stdout.startswith("використання: teplo")

    # Relative paths are the caller's, as with any command.
    made = run_outside(
        ["teplo", "billing", "generate", "billing.csv", "--accounts", "3", "--meters", "4"],
        elsewhere,
    )
    assert made.returncode == EXIT_OK, made.stderr
    assert (elsewhere / "billing.csv").exists()
    database = f"sqlite:///{elsewhere / 'own.db'}"
    created = run_outside(["teplo", "--database-url", database, "init-db"], elsewhere)
    assert created.returncode == EXIT_OK, created.stderr
    imported = run_outside(
        ["teplo", "--database-url", database, "billing", "import", "billing.csv", "--strict"],
        elsewhere,
    )
    assert imported.returncode == EXIT_OK, imported.stderr
    assert "рахунки:    додано 3" in imported.stdout

    wrong = run_outside(["teplo", "nonsense"], elsewhere)
    assert wrong.returncode == EXIT_USAGE and "помилка" in wrong.stderr


def test_python_m_staff_is_the_same_command():
    shown = subprocess.run(
        [sys.executable, "-m", "staff", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shown.returncode == EXIT_OK and shown.stdout.startswith("використання: teplo")


HEAVY = ("sqlalchemy", "aiohttp", "openpyxl", "argon2", "rasa", "matplotlib")


def modules_loaded_by(*argv: str) -> Set[str]:
    """What a fresh `teplo ARGV` imports of the command modules and the heavy libraries."""
    probe = (
        "import sys; from staff.cli import main; main(sys.argv[1:]); "
        "print(' '.join(m for m in sys.modules if m.startswith('staff.commands.') "
        f"or m in {HEAVY!r}))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return set(shown.stdout.splitlines()[-1].split()) if shown.stdout.strip() else set()


def test_help_imports_no_command_and_a_command_only_its_own():
    """`teplo --help` lists every command without importing one (a command's module
    comes in only when it runs), and a command's help loads nothing of the others'."""
    assert modules_loaded_by("--help") == set()
    stats = modules_loaded_by("stats", "--help")
    assert "staff.commands.stats" in stats
    assert not {m for m in stats if m.startswith(("staff.commands.billing", "aiohttp"))}
    assert "aiohttp" not in modules_loaded_by("nonsense")
