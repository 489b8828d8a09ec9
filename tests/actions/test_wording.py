"""The bot's wording stays in one place: sentences in domain.yml, computed texts
in core/texts, and none written inline in the Rasa action layer."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator, List, Set, Tuple

import yaml

from channels.viber import greeting_of
from core.texts.menu import domain_responses, menu_buttons, yes_no_buttons

ROOT = Path(__file__).resolve().parent.parent.parent
ACTIONS = ROOT / "actions"
CYRILLIC = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґ]")
RESPONSE_NAME = re.compile(r"^utter_\w+$")
COMMAND_LINE_HELP = {"description", "help", "epilog"}


def _docstrings(tree: ast.AST) -> Set[int]:
    """ids of the constants that are docstrings (documentation, never said)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _command_line_help(tree: ast.AST) -> Set[int]:
    """ids of the constants given as argparse help (for staff, not said by the bot)."""
    return {
        id(node)
        for keyword in ast.walk(tree)
        if isinstance(keyword, ast.keyword) and keyword.arg in COMMAND_LINE_HELP
        for node in ast.walk(keyword.value)
    }


def strings(source: str) -> Iterator[Tuple[int, str]]:
    """Every string constant of a module but its docstrings and command-line help,
    f-string parts included."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _command_line_help(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def cyrillic_literals(source: str) -> List[Tuple[int, str]]:
    return [(line, text) for line, text in strings(source) if CYRILLIC.search(text)]


def action_modules() -> List[Path]:
    return sorted(ACTIONS.rglob("*.py"))


def test_the_detector_finds_inline_wording_but_not_docstrings_or_comments():
    source = (
        '"""Модуль."""\n'
        "def f(dispatcher, n):\n"
        '    """Документація."""\n'
        "    # коментар\n"
        '    dispatcher.utter_message(text=f"Рахунок {n} прибрано.")\n'
        '    dispatcher.utter_message(text="Hello, " + "світ")\n'
        'parser = argparse.ArgumentParser(description="Сервер дій.")\n'
    )
    assert [text for _, text in cyrillic_literals(source)] == ["Рахунок ", " прибрано.", "світ"]


def test_no_action_module_writes_a_ukrainian_sentence_inline():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in action_modules()
        for line, text in cyrillic_literals(path.read_text(encoding="utf-8"))
    ]
    assert not found, (
        "Put fixed sentences into domain.yml responses and computed texts into "
        "core/texts/:\n" + "\n".join(found)
    )


def test_every_response_an_action_names_is_in_the_domain():
    named = {
        text
        for path in action_modules()
        for _, text in strings(path.read_text(encoding="utf-8"))
        if RESPONSE_NAME.match(text)
    }
    assert named, "the scan found no response names at all"
    assert sorted(named - set(domain_responses())) == []


# Rasa's own default actions utter these when the domain has them
# (/restart -> action_restart, /back -> action_back).
RASA_DEFAULT_ACTION_RESPONSES = {"utter_restart", "utter_back"}


def test_every_response_in_the_domain_is_used():
    """By an action, a rule or a story: nothing stale that staff would edit in vain."""
    sources = [path.read_text(encoding="utf-8") for path in action_modules()]
    sources += [path.read_text(encoding="utf-8") for path in (ROOT / "data").rglob("*.yml")]
    used = set(re.findall(r"\butter_\w+", "\n".join(sources)))
    used |= RASA_DEFAULT_ACTION_RESPONSES
    # A form asks for a slot with `utter_ask_<slot>` when no `action_ask_<slot>` exists.
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    used |= {
        f"utter_ask_{slot}" for form in domain["forms"].values() for slot in form["required_slots"]
    }
    assert sorted(set(domain_responses()) - used) == []


def test_one_menu_everywhere():
    responses, menu, yes_no = domain_responses(), menu_buttons(), yes_no_buttons()
    assert menu == responses["utter_greet"][0]["buttons"]
    assert [b["title"] for b in menu] == [
        "Передати показники",
        "Додати особовий рахунок",
        "Мої рахунки",
        "Історія показників",
        "Строки подачі",
        "Контакти",
        "Допомога",
    ]
    with_menu = [name for name, variants in responses.items() if variants[0].get("buttons") == menu]
    assert {"utter_greet", "utter_help", "utter_not_understood", "utter_cancelled"} <= set(
        with_menu
    )
    assert [b["title"] for b in yes_no] == ["Так", "Ні"]
    # The Viber welcome before the model is loaded shows the same menu.
    assert greeting_of(None)[1] == [{"title": b["title"], "payload": b["payload"]} for b in menu]
