"""`teplo retrain promote`: the candidate prepared earlier goes into service only
through the gate, judged again (what the console's «Поставити нову модель» does too)."""

from __future__ import annotations

import shutil
import sys

from retrain.common import ROOT
from staff.cli import main as teplo
from tests.support import fake_training


def prepared(project, monkeypatch, outcome: str) -> None:
    """A candidate model and its report, as `teplo retrain candidate` leaves them."""
    (project / "results").mkdir(parents=True)
    shutil.copy(ROOT / "results" / "baseline.json", project / "results" / "baseline.json")
    (project / "models").mkdir()
    (project / "models" / "current.tar.gz").write_bytes(b"old")
    monkeypatch.setattr(fake_training, "STEP_SECONDS", 0)
    monkeypatch.setattr(sys, "argv", ["fake", str(project), outcome])
    fake_training.main()


def test_promote_swaps_a_candidate_that_passes(tmp_path, monkeypatch, capsys):
    prepared(tmp_path, monkeypatch, "better")
    assert (tmp_path / "results/candidate/verdict.json").exists()
    assert teplo(["retrain", "--project", str(tmp_path), "promote", "--no-reload"]) == 0
    assert (tmp_path / "models/current.tar.gz").read_bytes().startswith(b"candidate")
    assert (tmp_path / "models/previous.tar.gz").read_bytes() == b"old"
    assert "Нову модель поставлено" in capsys.readouterr().out
    # Nothing left to promote twice.
    assert teplo(["retrain", "--project", str(tmp_path), "promote", "--no-reload"]) == 1


def test_promote_refuses_a_worse_candidate(tmp_path, monkeypatch, capsys):
    prepared(tmp_path, monkeypatch, "worse")
    assert teplo(["retrain", "--project", str(tmp_path), "promote", "--no-reload"]) == 1
    assert "гірша" in capsys.readouterr().err
    assert (tmp_path / "models/current.tar.gz").read_bytes() == b"old"
