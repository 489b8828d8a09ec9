"""The quality gate: a model may replace the one in service only if it is no worse.

results/baseline.json holds the figures of the model in service on the test
set and, beside them, the tolerances staff may change. A candidate passes when
its accuracy drops by at most `accuracy_drop`, stays at or above
`minimum_accuracy` (so small allowed drops cannot add up unnoticed), and no
intent's F1 drops by more than `intent_f1_drop`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from core.errors import StaffError
from core.settings import get_settings
from retrain.common import Project
from retrain.evaluation import Figures, Misclassified

DEFAULT_TOLERANCE = {"accuracy_drop": 0.01, "intent_f1_drop": 0.05, "minimum_accuracy": 0.95}
_DIGITS = 4  # figures are kept and compared at this precision, so a re-run compares equal
_ABOUT = (
    "Показники моделі, що працює (models/current.tar.gz), на тестових фразах. "
    "make retrain ставить нову модель лише в межах допусків (tolerance) і тоді "
    "переписує показники, допуски залишає; make test перевіряє модель за ними. "
    "Допуски можна змінити: docs/staff-guide.md."
)


@dataclass(frozen=True)
class Baseline:
    figures: Figures
    tolerance: Dict[str, float]
    test_set_sha256: str = ""


@dataclass
class Verdict:
    accuracy_before: float
    accuracy_after: float
    tolerance: Dict[str, float]
    worse: Dict[str, tuple] = field(default_factory=dict)  # intent -> (F1 before, F1 after)
    missing: List[str] = field(default_factory=list)  # baseline intents not in the evaluation
    # Every intent of either side -> (F1 before or None, F1 after or None), for staff to read.
    intents: Dict[str, tuple] = field(default_factory=dict)

    @property
    def accuracy_ok(self) -> bool:
        return self.accuracy_before - self.accuracy_after <= self.tolerance["accuracy_drop"] + 1e-9

    @property
    def above_minimum(self) -> bool:
        return self.accuracy_after >= self.tolerance["minimum_accuracy"] - 1e-9

    @property
    def passed(self) -> bool:
        return self.accuracy_ok and self.above_minimum and not self.worse and not self.missing


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def load_baseline(path: Path) -> Baseline:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StaffError(
            f"еталону {path} немає: створіть його командою "
            "`teplo retrain baseline` після make evaluate"
        ) from None
    except ValueError as error:
        raise StaffError(f"{path} не є правильним JSON: {error}") from error
    try:
        tolerance = {**DEFAULT_TOLERANCE, **(content.get("tolerance") or {})}
        intents = content.get("intents") or {}
        figures = Figures(
            accuracy=float(content["accuracy"]),
            f1={name: float(row["f1"]) for name, row in intents.items()},
            support={name: int(row.get("support", 0)) for name, row in intents.items()},
        )
        return Baseline(
            figures=figures,
            tolerance={k: float(v) for k, v in tolerance.items()},
            test_set_sha256=(content.get("test_set") or {}).get("sha256", ""),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        # Staff edit the tolerances by hand; say where, not a traceback.
        raise StaffError(
            f"{path}: неправильне значення ({error!r}); числа пишуться з крапкою, напр. 0.01"
        ) from error


def save_baseline(
    path: Path, figures: Figures, project: Project, tolerance: Optional[Dict[str, float]] = None
) -> None:
    """Writes `figures` as the new baseline, keeping the tolerance already there."""
    if tolerance is None:
        tolerance = load_baseline(path).tolerance if path.exists() else dict(DEFAULT_TOLERANCE)
    content = {
        "about": _ABOUT,
        "tolerance": tolerance,
        "test_set": {
            "path": project.relative(project.test_set),
            "sha256": file_sha256(project.test_set),
            "examples": figures.examples,
        },
        "updated": get_settings().now().date().isoformat(),
        "accuracy": round(figures.accuracy, _DIGITS),
        "intents": {
            name: {"f1": round(f1, _DIGITS), "support": figures.support.get(name, 0)}
            for name, f1 in sorted(figures.f1.items())
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(_as_json(content), encoding="utf-8")
    temporary.replace(path)


def _as_json(content: Dict) -> str:
    """Indented JSON with one line per intent: short, readable diffs in review."""
    lines = []
    for key, value in content.items():
        if key == "intents":
            rows = [f'    "{name}": {json.dumps(row)}' for name, row in value.items()]
            lines.append('  "intents": {\n' + ",\n".join(rows) + "\n  }")
        else:
            text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
            lines.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def compare(baseline: Baseline, candidate: Figures) -> Verdict:
    verdict = Verdict(
        accuracy_before=baseline.figures.accuracy,
        accuracy_after=round(candidate.accuracy, _DIGITS),
        tolerance=baseline.tolerance,
    )
    for intent in sorted(set(baseline.figures.f1) | set(candidate.f1)):
        verdict.intents[intent] = (
            baseline.figures.f1.get(intent),
            round(candidate.f1[intent], _DIGITS) if intent in candidate.f1 else None,
        )
    for intent, before in sorted(baseline.figures.f1.items()):
        if intent not in candidate.f1:
            verdict.missing.append(intent)
            continue
        after = round(candidate.f1[intent], _DIGITS)
        if before - after > baseline.tolerance["intent_f1_drop"] + 1e-9:
            verdict.worse[intent] = (before, after)
    return verdict


def save_verdict(path: Path, verdict: Verdict) -> None:
    """The gate's verdict on the candidate as JSON, for the console to show."""
    content = {
        "passed": verdict.passed,
        "accuracy_before": verdict.accuracy_before,
        "accuracy_after": verdict.accuracy_after,
        "tolerance": verdict.tolerance,
        "intents": {
            name: {"before": before, "after": after, "worse": name in verdict.worse}
            for name, (before, after) in verdict.intents.items()
        },
        "missing": verdict.missing,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.replace(path)


def load_verdict(path: Path) -> Verdict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StaffError(f"висновку перевірки {path} немає: нову модель ще не перевіряли") from None
    return parse_verdict(text, str(path))


def parse_verdict(text: str, source: str = "висновок") -> Verdict:
    """A verdict written by save_verdict (read back from its file or a copy of it)."""
    try:
        content = json.loads(text)
        intents = content.get("intents") or {}
        return Verdict(
            accuracy_before=float(content["accuracy_before"]),
            accuracy_after=float(content["accuracy_after"]),
            tolerance={k: float(v) for k, v in content["tolerance"].items()},
            worse={
                name: (row["before"], row["after"])
                for name, row in intents.items()
                if row.get("worse")
            },
            missing=list(content.get("missing") or []),
            intents={name: (row["before"], row["after"]) for name, row in intents.items()},
        )
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise StaffError(f"{source}: висновок перевірки пошкоджено ({error!r})") from error


def describe(verdict: Verdict, errors: List[Misclassified], examples_per_intent: int = 3) -> str:
    """The verdict in words for staff, with misclassified phrases of each worse intent."""
    tol = verdict.tolerance
    lines = [
        f"Точність розпізнавання: було {verdict.accuracy_before:.4f}, "
        f"стало {verdict.accuracy_after:.4f} (можна знизитися щонайбільше на "
        f"{tol['accuracy_drop']:g}, не нижче {tol['minimum_accuracy']:g})."
    ]
    if not verdict.accuracy_ok:
        lines.append("  ✗ точність упала більше, ніж дозволено.")
    if not verdict.above_minimum:
        lines.append("  ✗ точність нижча за мінімум.")
    if verdict.worse:
        lines.append(f"Наміри, що погіршилися (F1 упала більше ніж на {tol['intent_f1_drop']:g}):")
    for intent, (before, after) in verdict.worse.items():
        lines.append(f"  ✗ {intent}: F1 {before:.2f} → {after:.2f}")
        related = [e for e in errors if intent in (e.expected, e.predicted)]
        for error in related[:examples_per_intent]:
            lines.append(
                f"      «{error.text}» — має бути {error.expected}, "
                f"розпізнано як {error.predicted} ({error.confidence:.2f})"
            )
    for intent in verdict.missing:
        lines.append(f"  ✗ {intent}: намір зник з результатів перевірки (немає тестових фраз?)")
    if verdict.passed:
        lines.append("✓ Модель не гірша за попередню.")
    return "\n".join(lines)
