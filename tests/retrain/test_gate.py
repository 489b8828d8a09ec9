"""The quality gate on real models: a better one is promoted, a worse one refused.

Fast on purpose: NLU-only models of ten intents with a small DIET (no
transformer, 15 epochs) train in well under a minute each; the gate compares
real `rasa test nlu` reports all the same.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List

import pytest
from ruamel.yaml import YAML

from retrain import nludata
from retrain.common import ROOT, Project
from retrain.gate import DEFAULT_TOLERANCE
from retrain.pipeline import decide, retrain, train_candidate
from staff.cli import main as teplo

INTENTS = [
    "greet",
    "thank",
    "ask_deadline",
    "ask_tariff",
    "contact_operator",
    "meter_problem",
    "reading_history",
    "list_accounts",
    "submit_reading",
    "reminders_off",
]
WEAKENED = ["ask_tariff", "contact_operator"]  # the worse data keeps 3 examples of each


def write_nlu(path: Path, examples: Dict[str, List[str]]) -> None:
    text = 'version: "3.1"\nnlu:\n'
    for intent in INTENTS:
        text += f"- intent: {intent}\n  examples: |\n"
        text += "".join(f"    - {example}\n" for example in examples[intent])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def small_config() -> str:
    """The project's pipeline with a small, quick DIET."""
    yaml = YAML(typ="safe")
    config = yaml.load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component.update(
                epochs=15,
                number_of_transformer_layers=0,
                embedding_dimension=16,
                hidden_layers_sizes={"text": [64]},
            )
    config.pop("policies", None)
    return json.dumps(config, ensure_ascii=False)  # JSON is YAML


# A sample of the real data is enough to tell a better model from a worse one,
# and trains and evaluates in a fraction of the time.
TRAINED_PER_INTENT, TESTED_PER_INTENT = 40, 15
FULL = {
    intent: examples[:TRAINED_PER_INTENT]
    for intent, examples in nludata.examples_by_intent(nludata.scan(ROOT / "data" / "nlu")).items()
}
WORSE = {
    intent: examples[:3] if intent in WEAKENED else examples for intent, examples in FULL.items()
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = Project(tmp_path_factory.mktemp("gate"))
    write_nlu(
        project.test_set,
        {
            intent: examples[:TESTED_PER_INTENT]
            for intent, examples in nludata.examples_by_intent(
                nludata.scan_file(ROOT / "tests" / "nlu" / "test_nlu.yml")
            ).items()
        },
    )
    project.config.write_text(small_config(), encoding="utf-8")
    shutil.copy(ROOT / "domain.yml", project.domain)
    with pytest.MonkeyPatch.context() as patch:
        # Rasa's training cache of this temporary project only.
        patch.setenv("RASA_CACHE_DIRECTORY", str(project.root / "cache"))
        yield project


@pytest.mark.training  # trains two real NLU models: minutes, not seconds
def test_gate_promotes_a_better_model_and_refuses_a_worse_one(project, tmp_path, capsys):
    nlu = project.nlu_dir / "nlu.yml"
    # The model in service was trained on data missing most tariff and operator phrases.
    write_nlu(nlu, WORSE)
    train_candidate(project, project.config, nlu_only=True).replace(project.current_model)
    assert teplo(["retrain", "--project", str(project.root), "evaluate", "--no-gate"]) == 0
    assert teplo(["retrain", "--project", str(project.root), "baseline"]) == 0
    baseline = json.loads(project.baseline.read_text(encoding="utf-8"))
    assert baseline["tolerance"] == DEFAULT_TOLERANCE
    worse_model, worse_reports = project.current_model.read_bytes(), tmp_path / "worse"
    shutil.copytree(project.reports, worse_reports)

    # Staff add the phrases back: better, promoted.
    write_nlu(nlu, FULL)
    said = []
    outcome = retrain(project, say=said.append, nlu_only=True, validate_data=False)
    assert outcome.promoted, "\n".join(said)
    assert outcome.figures.f1["ask_tariff"] > baseline["intents"]["ask_tariff"]["f1"] + 0.3
    assert project.previous_model.read_bytes() == worse_model
    better_model = project.current_model.read_bytes()
    assert better_model != worse_model and not project.candidate_model.exists()
    promoted = json.loads(project.baseline.read_text(encoding="utf-8"))
    assert promoted["accuracy"] == round(outcome.figures.accuracy, 4) > baseline["accuracy"]
    assert promoted["tolerance"] == DEFAULT_TOLERANCE
    assert (project.reports / "intent_confusion_matrix.png").exists()

    # The worse model again as the candidate (its real reports; no need to retrain):
    # refused with the intents and example phrases, the better model stays.
    shutil.copy(project.previous_model, project.candidate_model)
    shutil.copytree(worse_reports, project.candidate_reports, dirs_exist_ok=True)
    said = []
    outcome = decide(project, say=said.append)
    text = "\n".join(said)
    assert not outcome.promoted
    assert set(WEAKENED) <= set(outcome.verdict.worse), text
    assert "✗ ask_tariff: F1" in text and "має бути ask_tariff" in text
    assert project.current_model.read_bytes() == better_model
    assert json.loads(project.baseline.read_text(encoding="utf-8")) == promoted

    # The check `make evaluate` (so `make test`) runs fails on the worse model.
    capsys.readouterr()
    assert (
        teplo(["retrain", "--project", str(project.root), "check", "--report", str(worse_reports)])
        == 1
    )
    assert "✗ contact_operator" in capsys.readouterr().out
