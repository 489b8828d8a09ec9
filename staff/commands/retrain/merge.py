"""`teplo retrain merge`: labelled phrases from the review CSV into data/nlu/."""

from __future__ import annotations

import argparse
from pathlib import Path

from retrain.common import Project
from staff.common import EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "merge",
        help="додати розмічені фрази з CSV у data/nlu/",
        description="Фрази з заповненою колонкою «Правильний намір» додаються до прикладів "
        "цього наміру. Невідомий намір — нічого не додається. Повтори пропускаються.",
    )
    parser.add_argument("review", type=Path, metavar="ФАЙЛ", help="CSV після розмітки")
    parser.add_argument("--dry-run", action="store_true", help="лише показати, що буде додано")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from retrain.merge import merge_review_file

    project = Project(args.project)
    result = merge_review_file(args.review, project, dry_run=args.dry_run)
    verb = "Буде додано" if args.dry_run else "Додано"
    print(f"{verb} фраз: {result.added_count}")
    for path, items in result.added.items():
        print(f"  {project.relative(path)}:")
        for intent, phrase in items:
            print(f"    + {intent}: {phrase}")
    if result.skipped:
        print(f"Пропущено: {len(result.skipped)}")
        for line, phrase, why in result.skipped:
            print(f"  рядок {line}: «{phrase}» — {why}")
    if result.unlabelled:
        print(f"Без наміру (не розглядалися): {result.unlabelled}")
    if result.added_count and not args.dry_run:
        print("Далі: make retrain")
    return EXIT_OK
