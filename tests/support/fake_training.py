"""A quick stand-in for `teplo retrain candidate` (minutes of Rasa training) in the
console's tests: prints the same steps, writes a candidate model file and a
`rasa test nlu` report, and then runs the real gate (retrain.pipeline.judge),
which writes the real verdict file the console reads.

    python tests/support/fake_training.py PROJECT [better|worse]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from retrain.common import Project  # noqa: E402
from retrain.pipeline import judge  # noqa: E402

STEP_SECONDS = 0.8


def main() -> int:
    project = Project(Path(sys.argv[1]))
    worse = len(sys.argv) > 2 and sys.argv[2] == "worse"
    print("1/4 Перевірка навчальних даних…", flush=True)
    time.sleep(STEP_SECONDS)
    print("2/4 Навчання нової моделі (кілька хвилин)…", flush=True)
    project.candidate_model.write_bytes(b"candidate model of the console tests")
    time.sleep(STEP_SECONDS)
    print("3/4 Перевірка нової моделі на тестових фразах…", flush=True)
    baseline = json.loads(project.baseline.read_text(encoding="utf-8"))
    report = {"accuracy": baseline["accuracy"]}
    for number, (intent, row) in enumerate(sorted(baseline["intents"].items())):
        f1 = min(1.0, row["f1"] + 0.01) if number % 2 else row["f1"]
        if worse and number == 0:
            f1 = row["f1"] - 0.3
        report[intent] = {"precision": f1, "recall": f1, "f1-score": f1, "support": row["support"]}
    project.candidate_reports.mkdir(parents=True, exist_ok=True)
    (project.candidate_reports / "intent_report.json").write_text(json.dumps(report))
    print("4/4 Порівняння з моделлю, що працює зараз:", flush=True)
    return 0 if judge(project).verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main())
