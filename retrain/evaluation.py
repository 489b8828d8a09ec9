"""Evaluating a model on the held-out NLU test set with `rasa test nlu`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

from core.errors import StaffError
from retrain import review_csv
from retrain.common import Project, run_rasa

REPORT = "intent_report.json"
ERRORS = "intent_errors.json"
MISCLASSIFIED_CSV = "misclassified.csv"
# What `rasa test nlu` writes, removed first so no stale picture survives a failed run.
_OUTPUTS = (
    REPORT,
    ERRORS,
    "intent_confusion_matrix.png",
    "intent_histogram.png",
    MISCLASSIFIED_CSV,
    "rasa-test.log",
)
_AVERAGES = ("macro avg", "weighted avg", "micro avg", "accuracy")


@dataclass(frozen=True)
class Figures:
    """Overall intent accuracy and every intent's F1 on the test set."""

    accuracy: float
    f1: Dict[str, float]
    support: Dict[str, int]

    @property
    def examples(self) -> int:
        return sum(self.support.values())


@dataclass(frozen=True)
class Misclassified:
    text: str
    expected: str
    predicted: str
    confidence: float


def evaluate(model: Path, out: Path, project: Project) -> Figures:
    """Runs the test set through `model`; reports land in `out`."""
    if not model.exists():
        raise StaffError(f"модель {project.relative(model)} не знайдено (make train)")
    out.mkdir(parents=True, exist_ok=True)
    for name in _OUTPUTS:
        (out / name).unlink(missing_ok=True)
    run_rasa(
        ["test", "nlu", "--nlu", str(project.test_set), "--model", str(model), "--out", str(out)],
        project,
        log=out / "rasa-test.log",
    )
    review_csv.write_rows(
        out / MISCLASSIFIED_CSV,
        ["Фраза", "Правильний намір", "Розпізнано як", "Впевненість"],
        [
            [e.text, e.expected, e.predicted, f"{e.confidence:.2f}".replace(".", ",")]
            for e in misclassified(out)
        ],
    )
    return load_figures(out)


def load_figures(report_dir: Path) -> Figures:
    path = report_dir / REPORT
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StaffError(f"звіту {path} немає: спершу make evaluate") from None
    # Names only predicted (support 0, e.g. nlu_fallback) are no intent of the test set.
    rows = {
        name: row
        for name, row in report.items()
        if name not in _AVERAGES and isinstance(row, dict) and row.get("support")
    }
    return Figures(
        accuracy=float(report["accuracy"]),
        f1={name: float(row["f1-score"]) for name, row in sorted(rows.items())},
        support={name: int(row["support"]) for name, row in sorted(rows.items())},
    )


def misclassified(report_dir: Path) -> List[Misclassified]:
    path = report_dir / ERRORS
    if not path.exists():  # Rasa writes none when nothing is wrong
        return []
    return [
        Misclassified(
            text=e["text"],
            expected=e["intent"],
            predicted=(e.get("intent_prediction") or {}).get("name") or "",
            confidence=float((e.get("intent_prediction") or {}).get("confidence") or 0),
        )
        for e in json.loads(path.read_text(encoding="utf-8"))
    ]


# Above this confidence a wrong intent is acted on without doubt (no fallback,
# no clarifying question): the share of such phrases must stay small.
CONFIDENT = 0.9


def confidently_wrong(report_dir: Path) -> List[Misclassified]:
    """Phrases of the test set given a wrong intent with confidence >= `CONFIDENT`."""
    return [e for e in misclassified(report_dir) if e.confidence >= CONFIDENT]
