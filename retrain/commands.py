"""What each `python -m retrain` command does; retrain.cli parses the arguments."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Optional

from core.errors import StaffError
from retrain import gate, inbox, nludata, reload
from retrain.common import EXIT_FAILED, EXIT_OK, Project


def run_inbox(args: argparse.Namespace) -> int:
    from retrain.trackerdb import tracker_store_url, user_messages

    if args.last < args.first:
        raise StaffError("кінець періоду раніше за початок")
    project = Project(args.project)
    start, end = inbox.day_range(args.first, args.last)
    entries = inbox.build_inbox(
        user_messages(tracker_store_url(project), start, end), args.threshold
    )
    out = args.out or project.root / "var" / "review" / f"inbox-{args.first}-{args.last}.csv"
    inbox.write_review_file(out, entries)
    total = sum(e.count for e in entries)
    print(
        f"{total} нерозпізнаних повідомлень, {len(entries)} різних фраз "
        f"({args.first:%d.%m.%Y}–{args.last:%d.%m.%Y}) → {out}"
    )
    if entries:
        print(
            "Заповніть колонку «Правильний намір» (python -m retrain intents — список), "
            f"збережіть і запустіть: python -m retrain merge {out}"
        )
    return EXIT_OK


def run_merge(args: argparse.Namespace) -> int:
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


def run_intents(args: argparse.Namespace) -> int:
    project = Project(args.project)
    examples = nludata.examples_by_intent(nludata.scan(project.nlu_dir))
    for name in nludata.domain_intents(project.domain):
        shown = "; ".join(examples.get(name, [])[:3])
        print(f"{name:18} {shown}")
    return EXIT_OK


def run_evaluate(args: argparse.Namespace) -> int:
    from retrain.evaluation import evaluate

    project = Project(args.project)
    model = args.model or project.current_model
    figures = evaluate(model, project.reports, project)
    worst = sorted(figures.f1.items(), key=lambda item: item[1])[:5]
    print(
        f"Точність розпізнавання намірів: {figures.accuracy:.4f} на {figures.examples} "
        "тестових фразах"
    )
    print("Найнижча F1: " + ", ".join(f"{name} {f1:.2f}" for name, f1 in worst))
    print(
        f"Звіти: {project.relative(project.reports)}/ (intent_report.json, "
        "intent_confusion_matrix.png, intent_errors.json, misclassified.csv)"
    )
    if args.no_gate:
        return EXIT_OK
    return _check(project, project.reports)


def run_check(args: argparse.Namespace) -> int:
    project = Project(args.project)
    return _check(project, args.report or project.reports)


def _check(project: Project, report_dir: Path) -> int:
    from retrain.pipeline import check

    print(f"Порівняння з {project.relative(project.baseline)}:")
    return EXIT_OK if check(project, report_dir).verdict.passed else EXIT_FAILED


def run_baseline(args: argparse.Namespace) -> int:
    from retrain.evaluation import load_figures

    project = Project(args.project)
    figures = load_figures(project.reports)
    gate.save_baseline(project.baseline, figures, project)
    print(
        f"Еталон записано: {project.relative(project.baseline)} "
        f"(точність {figures.accuracy:.4f}, {len(figures.f1)} намірів)"
    )
    return EXIT_OK


def run_retrain(args: argparse.Namespace) -> int:
    from retrain.pipeline import retrain

    project = Project(args.project)
    outcome = retrain(project)
    if not outcome.promoted:
        print(
            "Нову модель НЕ прийнято: працює попередня. Виправте або приберіть фрази, "
            "через які погіршилось розпізнавання, і запустіть make retrain знову. "
            f"Усі помилки нової моделі: {project.relative(project.candidate_reports)}/"
            "misclassified.csv"
        )
        return EXIT_FAILED
    print(
        f"Нову модель прийнято: {project.relative(project.current_model)}, еталон оновлено "
        f"({project.relative(project.baseline)})."
    )
    if args.no_reload:
        return EXIT_OK
    return _reload(project, reload.server_url(), quiet_if_down=True)


def run_reload(args: argparse.Namespace) -> int:
    project = Project(args.project)
    return _reload(project, args.url or reload.server_url(), quiet_if_down=False, model=args.model)


def _reload(project: Project, url: str, quiet_if_down: bool, model: Optional[Path] = None) -> int:
    token = os.environ.get("RASA_API_TOKEN", "")
    if not token:
        if quiet_if_down:
            print(
                "RASA_API_TOKEN не задано: запущений сервер візьме нову модель після "
                "перезапуску (make serve) або команди python -m retrain reload."
            )
            return EXIT_OK
        raise StaffError("задайте RASA_API_TOKEN — той самий, з яким запущено сервер")
    try:
        reload.reload_model(model or project.current_model, url, token)
    except reload.ServerUnreachable as error:
        if not quiet_if_down:
            raise
        print(f"{error}; нову модель він візьме під час наступного запуску.")
        return EXIT_OK
    print(f"Сервер {url} працює з новою моделлю; розмови збережено.")
    return EXIT_OK
