"""NLU evaluation on the held-out test set; fails below the accuracy target.

Writes Rasa's intent report, confusion matrix and misclassified phrases to
results/nlu/ and prints the overall figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results" / "nlu"
TARGET_ACCURACY = 0.95


def main() -> int:
    subprocess.run(
        [str(ROOT / ".venv/bin/rasa"), "test", "nlu", "--nlu", "tests/nlu/test_nlu.yml",
         "--model", "models/current.tar.gz", "--out", str(RESULTS)],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    report = json.loads((RESULTS / "intent_report.json").read_text(encoding="utf-8"))
    accuracy = report["accuracy"]
    worst = sorted(
        ((name, row["f1-score"]) for name, row in report.items() if isinstance(row, dict) and "support" in row
         and name not in ("macro avg", "weighted avg", "micro avg")),
        key=lambda item: item[1],
    )[:5]
    print(f"intent accuracy {accuracy:.4f} (target {TARGET_ACCURACY}), "
          f"weighted F1 {report['weighted avg']['f1-score']:.4f}")
    print("lowest F1: " + ", ".join(f"{name} {f1:.2f}" for name, f1 in worst))
    print(f"reports in {RESULTS.relative_to(ROOT)}/")
    return 0 if accuracy >= TARGET_ACCURACY else 1


if __name__ == "__main__":
    sys.exit(main())
