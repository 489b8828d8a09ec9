"""Merging a review file staff labelled into a temporary copy of the NLU data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from retrain.common import ROOT, Project
from retrain.pipeline import validate
from staff.cli import main as teplo

COMMENT = "# Тарифи в демо-даних умовні (коментар має пережити злиття)\n"


@pytest.fixture
def project(tmp_path) -> Project:
    for name in ("data", "tests/nlu"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    information = tmp_path / "data/nlu/information.yml"
    text = information.read_text(encoding="utf-8")
    information.write_text(
        text.replace("- intent: ask_tariff\n", COMMENT + "- intent: ask_tariff\n"), encoding="utf-8"
    )
    return Project(tmp_path)


def review_file(path: Path, rows, encoding: str = "cp1251") -> Path:
    """What Excel saves as "CSV (розділювач — крапка з комою)" on Ukrainian Windows."""
    lines = ["Фраза;Разів;Розпізнано як;Правильний намір"]
    lines += [f"{phrase};1;out_of_scope;{label}" for phrase, label in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def snapshot(project: Project):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(project.nlu_dir.glob("*.yml"))}


def examples_of(path: Path, intent: str):
    for block in YAML(typ="safe").load(path.read_text(encoding="utf-8"))["nlu"]:
        if block.get("intent") == intent:
            return [line[2:] for line in block["examples"].splitlines()]
    return []


def test_merge_adds_exactly_the_new_labelled_phrases(project, tmp_path, capsys):
    before = snapshot(project)
    review = review_file(
        tmp_path / "review.csv",
        [
            ("скільки платити за гігакалорію взимку", "ask_tariff"),
            ("мій рахунок 0519273, а лічильник 1867,3 не крутиться", "meter_problem"),
            ("ТАРИФИ!!!", "ask_tariff"),  # "Тарифи" is already there
            ("який зараз тариф на тепло?", "ask_tariff"),  # held out in the test set
            ("що ти взагалі вмієш робити", "Help"),
            ("Що ти взагалі вмієш робити?", "help"),  # the same phrase again
            ("а шо там по новинах", ""),  # not labelled: not reviewed
        ],
    )

    assert teplo(["retrain", "--project", str(project.root), "merge", str(review)]) == 0
    printed = capsys.readouterr().out
    added = {
        "information.yml": [
            ("ask_tariff", "скільки платити за гігакалорію взимку"),
            ("meter_problem", "мій рахунок 0123456, а лічильник 1234,5 не крутиться"),
        ],
        "greetings.yml": [("help", "що ти взагалі вмієш робити")],
    }
    after = snapshot(project)
    for name, text in after.items():
        new_lines = [f"    - {phrase}\n" for _, phrase in added.get(name, [])]
        lines = text.splitlines(keepends=True)
        assert [line for line in lines if line not in new_lines] == before[name].splitlines(
            keepends=True
        ), f"{name}: only the new lines may differ"
        for intent, phrase in added.get(name, []):
            assert phrase in examples_of(project.nlu_dir / name, intent)
            assert f"+ {intent}: {phrase}" in printed
    assert COMMENT in after["information.yml"]
    assert "0519273" not in "".join(after.values()) and "1867" not in "".join(after.values())
    assert "Додано фраз: 3" in printed and "Пропущено: 3" in printed

    validate(project, project.config)  # `rasa data validate --fail-on-warnings` on the copy

    assert teplo(["retrain", "--project", str(project.root), "merge", str(review)]) == 0
    assert snapshot(project) == after  # a second merge of the same file adds nothing
    assert "Додано фраз: 0" in capsys.readouterr().out


def test_unknown_intent_rejects_the_whole_file(project, tmp_path, capsys):
    before = snapshot(project)
    review = review_file(
        tmp_path / "review.csv",
        [
            ("скільки платити за гігакалорію взимку", "ask_tariff"),
            ("де моя квитанція", "квитанція"),
        ],
        encoding="utf-8-sig",
    )

    assert teplo(["retrain", "--project", str(project.root), "merge", str(review)]) == 1
    error = capsys.readouterr().err
    assert "рядок 3: «квитанція»" in error
    assert "ask_tariff" in error and "submit_reading" in error  # the valid names are listed
    assert snapshot(project) == before
