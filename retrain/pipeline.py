"""`retrain`: validate the data, train a candidate, evaluate it, promote it only through the gate."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from core.errors import StaffError
from retrain import gate
from retrain.common import Project, run_rasa
from retrain.evaluation import Figures, evaluate, load_figures, misclassified

Say = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    promoted: bool
    verdict: gate.Verdict
    figures: Figures


def validate(project: Project, config: Path) -> None:
    run_rasa(
        [
            "data",
            "validate",
            "--fail-on-warnings",
            "--data",
            str(project.data),
            "--domain",
            str(project.domain),
            "--config",
            str(config),
        ],
        project,
        log=project.results / "validate.log",
    )


def train_candidate(project: Project, config: Path, nlu_only: bool = False) -> Path:
    """Trains into models/candidate.tar.gz; the model in service is not touched.

    `nlu_only` is for tests: such a model understands but cannot converse.
    """
    project.candidate_model.unlink(missing_ok=True)
    what = (
        ["train", "nlu", "--nlu", str(project.nlu_dir)]
        if nlu_only
        else ["train", "--data", str(project.data), "--domain", str(project.domain)]
    )
    run_rasa(
        what
        + [
            "--config",
            str(config),
            "--out",
            str(project.models),
            "--fixed-model-name",
            project.candidate_model.name.split(".")[0],
        ],
        project,
        log=project.results / "train.log",
    )
    if not project.candidate_model.exists():
        raise StaffError("навчання завершилося, але модель не збережено")
    return project.candidate_model


def retrain(
    project: Project,
    say: Say = print,
    config: Optional[Path] = None,
    nlu_only: bool = False,
    validate_data: bool = True,
) -> Outcome:
    """The whole loop; the old model stays in service unless the candidate passes."""
    return _promoted_if_passed(project, prepare(project, say, config, nlu_only, validate_data))


def prepare(
    project: Project,
    say: Say = print,
    config: Optional[Path] = None,
    nlu_only: bool = False,
    validate_data: bool = True,
) -> Outcome:
    """Validates, trains and evaluates a candidate and judges it; promotes nothing.

    The verdict is also written to `project.verdict` (what the console shows
    before an admin promotes the candidate or keeps the model in service).
    """
    config = config or project.config
    project.verdict.unlink(missing_ok=True)
    gate.load_baseline(project.baseline)  # fail before the long part
    if validate_data:
        say("1/4 Перевірка навчальних даних…")
        validate(project, config)
    say("2/4 Навчання нової моделі (кілька хвилин)…")
    candidate = train_candidate(project, config, nlu_only)
    say("3/4 Перевірка нової моделі на тестових фразах…")
    evaluate(candidate, project.candidate_reports, project)
    say("4/4 Порівняння з моделлю, що працює зараз:")
    return judge(project, say)


def check(project: Project, report_dir: Path, say: Say = print) -> Outcome:
    """Compares the evaluation in `report_dir` with the baseline; promotes nothing."""
    baseline = gate.load_baseline(project.baseline)
    figures = load_figures(report_dir)
    verdict = gate.compare(baseline, figures)
    if baseline.test_set_sha256 and baseline.test_set_sha256 != gate.file_sha256(project.test_set):
        say(
            "Увага: тестовий набір змінився після запису еталону — порівняння неточне; "
            "після перевірки людиною оновіть еталон (teplo retrain baseline)."
        )
    say(gate.describe(verdict, misclassified(report_dir)))
    return Outcome(promoted=False, verdict=verdict, figures=figures)


def judge(project: Project, say: Say = print) -> Outcome:
    """The gate on the evaluated candidate; the verdict is saved beside its reports."""
    outcome = check(project, project.candidate_reports, say)
    gate.save_verdict(project.verdict, outcome.verdict)
    return outcome


def decide(project: Project, say: Say = print) -> Outcome:
    """The gate on the evaluated candidate: promoted if it passes, else left aside."""
    return _promoted_if_passed(project, judge(project, say))


def _promoted_if_passed(project: Project, outcome: Outcome) -> Outcome:
    if not outcome.verdict.passed:
        return outcome
    promote(project, outcome.figures)
    return Outcome(promoted=True, verdict=outcome.verdict, figures=outcome.figures)


def promote_checked(project: Project, say: Say = print) -> Outcome:
    """Promotes the candidate prepared earlier, judged again against today's baseline.

    Raises StaffError, changing nothing, when there is no candidate or it no
    longer passes (e.g. another model was promoted meanwhile).
    """
    if not project.candidate_model.exists():
        raise StaffError(
            f"нової моделі {project.relative(project.candidate_model)} немає: "
            "її вже поставлено або ще не навчено"
        )
    outcome = _promoted_if_passed(project, judge(project, say))
    if not outcome.promoted:
        raise StaffError("нова модель гірша за ту, що працює: її не поставлено")
    return outcome


def promote(project: Project, figures: Figures) -> None:
    """The candidate becomes the model in service; its figures, the baseline."""
    current = project.current_model
    if current.exists():
        # A copy, not a move: models/current.tar.gz never disappears, even for a moment.
        shutil.copy2(current, project.previous_model)
    project.candidate_model.replace(current)
    if project.reports.exists():
        shutil.rmtree(project.reports)
    shutil.copytree(project.candidate_reports, project.reports)
    gate.save_baseline(project.baseline, figures, project)
