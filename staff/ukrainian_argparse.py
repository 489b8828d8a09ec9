"""argparse speaking Ukrainian, wrapping help at the terminal width without breaking words.

argparse builds its own sentences ("usage:", "options:", error messages) with
`gettext`, looked up at call time through the module globals `argparse._` and
`argparse.ngettext`. `UkrainianParser` points those at the table below for as
long as it builds, prints or parses, and puts them back afterwards, so other
argparse users in the same process (pytest, Rasa) are not affected.
"""

from __future__ import annotations

import argparse
import textwrap
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Tuple

# Every message argparse 3.10 passes through gettext (tests/staff/test_cli.py checks
# the list is complete, so a Python upgrade that adds one fails loudly).
MESSAGES: Dict[str, str] = {
    "usage: ": "використання: ",
    "positional arguments": "аргументи",
    "options": "параметри",
    "subcommands": "команди",
    "show this help message and exit": "показати цю довідку й вийти",
    "%(prog)s: error: %(message)s\n": "%(prog)s: помилка: %(message)s\n",
    "the following arguments are required: %s": "бракує обов’язкових аргументів: %s",
    "one of the arguments %s is required": "потрібен один з аргументів %s",
    "unrecognized arguments: %s": "невідомі аргументи: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "неприпустиме значення %(value)r (можливі: %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "неправильне значення (%(type)s): %(value)r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "невідома команда %(parser_name)r (можливі: %(choices)s)"
    ),
    "ambiguous option: %(option)s could match %(matches)s": (
        "неоднозначний параметр %(option)s: підходять %(matches)s"
    ),
    "not allowed with argument %s": "не поєднується з %s",
    "ignored explicit argument %r": "зайве значення %r",
    "unexpected option string: %s": "неочікуваний параметр: %s",
    "expected one argument": "потрібне одне значення",
    "expected at most one argument": "потрібно не більше одного значення",
    "expected at least one argument": "потрібне хоча б одне значення",
    "can't open '%(filename)s': %(error)s": "не вдалося відкрити «%(filename)s»: %(error)s",
    'argument "-" with mode %r': "аргумент «-» у режимі %r",
    # Mistakes of the programmer, not of staff; translated all the same.
    ".__call__() not defined": ".__call__() не визначено",
    "cannot merge actions - two groups are named %r": "дві групи з назвою %r",
    "'required' is an invalid argument for positionals": (
        "«required» не задають для позиційних аргументів"
    ),
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "параметр %(option)r має починатися одним із символів %(prefix_chars)r"
    ),
    "dest= is required for options like %r": "для параметра %r потрібен dest=",
    "invalid conflict_resolution value: %r": "неправильне conflict_resolution: %r",
    "mutually exclusive arguments must be optional": (
        "взаємовиключні аргументи мають бути необов’язковими"
    ),
    "cannot have multiple subparser arguments": "може бути лише один набір команд",
    "%r is not callable": "%r не можна викликати",
}

# ngettext messages: the three Ukrainian plural forms (1, 2–4, 5+).
PLURALS: Dict[str, Tuple[str, str, str]] = {
    "expected %s argument": (
        "потрібне %s значення",
        "потрібні %s значення",
        "потрібно %s значень",
    ),
    "conflicting option string: %s": (
        "параметр уже визначено: %s",
        "параметри вже визначено: %s",
        "параметри вже визначено: %s",
    ),
}


def translate(message: Optional[str]) -> Optional[str]:
    return MESSAGES.get(message, message) if message is not None else None


def translate_plural(singular: str, plural: str, count: int) -> str:
    forms = PLURALS.get(singular)
    if forms is None:
        return singular if count == 1 else plural
    if count % 10 == 1 and count % 100 != 11:
        return forms[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return forms[1]
    return forms[2]


@contextmanager
def ukrainian() -> Iterator[None]:
    """argparse's own sentences in Ukrainian inside the block (re-entrant)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = translate, translate_plural
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def wrap(text: str, width: int) -> List[str]:
    """Lines of at most `width`, keeping the author's line breaks and indents.

    Words, paths and option names stay whole: a word longer than the line (a
    CSV header) overflows instead of being cut, and hyphens are no break points.
    """
    lines: List[str] = []
    for paragraph in text.splitlines() or [""]:
        indent = paragraph[: len(paragraph) - len(paragraph.lstrip())]
        lines += textwrap.wrap(
            " ".join(paragraph.split()),
            max(width, 20),
            initial_indent=indent,
            subsequent_indent=indent + "  " if indent else "",
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
    return lines


class HelpFormatter(argparse.HelpFormatter):
    """The standard layout at the terminal width, with `wrap` instead of textwrap's defaults."""

    def _split_lines(self, text: str, width: int) -> List[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))


class UkrainianParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are Ukrainian; sub-parsers inherit it."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        # Lets parse_known_args catch ArgumentError, whose "argument X:" prefix
        # argparse does not pass through gettext.
        kwargs.setdefault("exit_on_error", False)
        with ukrainian():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with ukrainian():  # "unrecognized arguments" is reported outside parse_known_args
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with ukrainian():
            try:
                return super().parse_known_args(args, namespace)
            except argparse.ArgumentError as error:
                name = error.argument_name
                self.error(f"аргумент {name}: {error.message}" if name else error.message)

    def format_usage(self) -> str:
        with ukrainian():
            return super().format_usage()

    def format_help(self) -> str:
        with ukrainian():
            return super().format_help()

    def error(self, message: str):
        with ukrainian():
            super().error(message)
