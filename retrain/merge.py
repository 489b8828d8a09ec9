"""Merging the phrases staff labelled in the review file into data/nlu/."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

from core.errors import StaffError
from retrain import nludata
from retrain.common import Project
from retrain.review_csv import LabelledRow, read_labels
from retrain.text import clean_phrase, has_letters, normalize


@dataclass
class MergeResult:
    # file -> (intent, phrase) in file order
    added: Dict[Path, List[Tuple[str, str]]] = field(default_factory=dict)
    # (line of the review file, phrase, why it was not added)
    skipped: List[Tuple[int, str, str]] = field(default_factory=list)
    unlabelled: int = 0

    @property
    def added_count(self) -> int:
        return sum(len(items) for items in self.added.values())


def merge_review_file(review: Path, project: Project, dry_run: bool = False) -> MergeResult:
    """Adds every labelled, new phrase of the review file to its intent's block."""
    return merge_rows(read_labels(review), project, dry_run)


def merge_rows(rows: List[LabelledRow], project: Project, dry_run: bool = False) -> MergeResult:
    """Adds every labelled, new phrase to its intent's block; all or nothing.

    Raises StaffError, writing nothing, when a row names an unknown intent.
    `line` of a row is where staff find it (a line of the file, a row of the page).
    """
    valid = nludata.domain_intents(project.domain)
    blocks = nludata.scan(project.nlu_dir)
    target = {}
    for block in blocks:
        target.setdefault(block.intent, block)
    _check_labels(rows, valid, target, project)

    known = {
        normalize(ex): intent
        for intent, examples in nludata.examples_by_intent(blocks).items()
        for ex in examples
    }
    held_out = set()
    if project.test_set.exists():
        held_out = {
            normalize(ex) for block in nludata.scan_file(project.test_set) for ex in block.examples
        }
    by_name = {name.casefold(): name for name in valid}
    result, pending = MergeResult(), defaultdict(list)
    taken: Dict[str, int] = {}  # phrases added from this file -> their line
    for row in rows:
        if not row.label:
            result.unlabelled += 1
            continue
        intent, phrase = by_name[row.label.casefold()], clean_phrase(row.phrase)
        key = normalize(phrase)
        why = None
        if not has_letters(phrase) or phrase.startswith("/"):
            why = "немає тексту, з якого можна вчитися"
        elif key in taken:
            why = f"повтор рядка {taken[key]} цього файлу"
        elif key in known:
            why = f"вже є в навчальних даних (намір {known[key]})"
        elif key in held_out:
            why = "є в тестовому наборі tests/nlu/test_nlu.yml: перевірка стала б нечесною"
        if why:
            result.skipped.append((row.line, phrase, why))
            continue
        taken[key] = row.line
        pending[target[intent]].append(phrase)

    for block in sorted(pending, key=lambda b: (str(b.path), b.end_line)):
        result.added.setdefault(block.path, []).extend((block.intent, p) for p in pending[block])
    if not dry_run:
        _write(pending)
    return result


def _check_labels(
    rows: List[LabelledRow],
    valid: List[str],
    target: Dict[str, nludata.IntentBlock],
    project: Project,
) -> None:
    names = {name.casefold() for name in valid}
    bad = [row for row in rows if row.label and row.label.casefold() not in names]
    if bad:
        listed = "\n".join(f"  рядок {row.line}: «{row.label}»" for row in bad)
        raise StaffError(
            f"невідомі наміри — нічого не додано:\n{listed}\n"
            f"Можливі наміри: {', '.join(sorted(valid))}\n"
            "(що означає кожен: teplo retrain intents)"
        )
    orphans = sorted(
        {
            name
            for name in valid
            if name.casefold() in {row.label.casefold() for row in rows if row.label}
        }
        - set(target)
    )
    if orphans:
        raise StaffError(
            f"намір(и) {', '.join(orphans)} не мають прикладів у "
            f"{project.relative(project.nlu_dir)} — додайте блок вручну"
        )


def _write(pending: Dict[nludata.IntentBlock, List[str]]) -> None:
    by_file: Dict[Path, List[nludata.IntentBlock]] = defaultdict(list)
    for block in pending:
        by_file[block.path].append(block)
    for path, blocks in by_file.items():
        original = path.read_text(encoding="utf-8")
        lines = original.splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        # Bottom-up, so earlier insertions do not move the later blocks' lines.
        for block in sorted(blocks, key=lambda b: -b.end_line):
            lines[block.end_line : block.end_line] = [
                f"{block.indent}- {p}\n" for p in pending[block]
            ]
        updated = "".join(lines)
        _check_parses(path, updated, {b.intent: pending[b] for b in blocks})
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(updated, encoding="utf-8")
        os.replace(temporary, path)


def _check_parses(path: Path, text: str, expected: Dict[str, List[str]]) -> None:
    """Rasa's own reader must see the new phrases under their intents."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    try:
        data = RasaYAMLReader().reads(text)
    except Exception as error:  # noqa: BLE001 - any parse failure means: do not write
        raise StaffError(f"після додавання {path.name} не читається: {error}") from error
    seen = {(m.get("intent"), m.get("text")) for m in data.intent_examples}
    missing = [
        p for intent, phrases in expected.items() for p in phrases if (intent, p) not in seen
    ]
    if missing:
        raise StaffError(
            f"після додавання {path.name} Rasa не бачить фраз: {missing}; файл не змінено"
        )
