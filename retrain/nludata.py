"""Where each intent's examples live in the NLU YAML files, read as text.

Reading the text (not a YAML round trip) lets the merge insert lines at the end
of an `examples: |` block and leave every other byte of the file, comments and
formatting included, exactly as staff and developers wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

from ruamel.yaml import YAML

_INTENT = re.compile(r"^(?P<indent> *)- +intent: *(?P<name>[\"']?[\w./-]+[\"']?) *(#.*)?$")
_EXAMPLES = re.compile(r"^(?P<indent> *)examples: *\|[-+0-9]* *(#.*)?$")
_EXAMPLE = re.compile(r"^(?P<indent> *)- (?P<text>.*)$")
# "[текст](entity)", "[текст]{...}", "[текст][...]" -> "текст"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


@dataclass(eq=False)  # identity: blocks are dictionary keys
class IntentBlock:
    """One `examples: |` block of an intent."""

    intent: str
    path: Path
    examples: List[str] = field(default_factory=list)
    end_line: int = 0  # index of the line after the block's last example
    indent: str = "    "  # of the example lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def scan_file(path: Path) -> List[IntentBlock]:
    """The intent blocks of one file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: List[IntentBlock] = []
    index = 0
    while index < len(lines):
        match = _INTENT.match(lines[index])
        index += 1
        if not match:
            continue
        item_indent = len(match.group("indent"))
        # The keys of this list item, up to the next item or a less indented key.
        while index < len(lines) and (
            not lines[index].strip() or _indent(lines[index]) > item_indent
        ):
            examples = _EXAMPLES.match(lines[index])
            index += 1
            if examples:
                block = IntentBlock(
                    intent=match.group("name").strip("\"'"),
                    path=path,
                    indent=" " * (len(examples.group("indent")) + 2),
                )
                index = _read_literal(lines, index, len(examples.group("indent")), block)
                blocks.append(block)
    return blocks


def _read_literal(lines: List[str], index: int, key_indent: int, block: IntentBlock) -> int:
    """Fills `block` from the literal block starting at `index`; returns where it ends."""
    block.end_line = index
    first = True
    while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > key_indent):
        line = lines[index]
        index += 1
        if not line.strip():
            continue
        block.end_line = index
        example = _EXAMPLE.match(line)
        if example:
            block.examples.append(_ANNOTATION.sub(r"\1", example.group("text")).strip())
            if first:
                block.indent, first = example.group("indent"), False
    return index


def scan(directory: Path) -> List[IntentBlock]:
    """All intent blocks of the YAML files under `directory`, files in name order."""
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".yml", ".yaml"))
    return [block for path in files for block in scan_file(path)]


def domain_intents(domain: Path) -> List[str]:
    """The intents of domain.yml: the only names a phrase may be labelled with."""
    content = YAML(typ="safe").load(domain.read_text(encoding="utf-8")) or {}
    names = []
    for item in content.get("intents") or []:
        names.extend(item.keys() if isinstance(item, dict) else [item])
    return [str(name) for name in names]


def examples_by_intent(blocks: List[IntentBlock]) -> Dict[str, List[str]]:
    result: Dict[str, List[str]] = {}
    for block in blocks:
        result.setdefault(block.intent, []).extend(block.examples)
    return result
