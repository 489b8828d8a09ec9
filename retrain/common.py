"""What every step of the loop shares: the project's paths, running Rasa."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from core.errors import StaffError
from core.settings import env_str, environment

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    """The files the loop reads and writes; tests point `root` at a temporary copy."""

    root: Path = ROOT

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def nlu_dir(self) -> Path:
        return self.data / "nlu"

    @property
    def domain(self) -> Path:
        return self.root / "domain.yml"

    @property
    def config(self) -> Path:
        return self.root / "config.yml"

    @property
    def endpoints(self) -> Path:
        return self.root / "endpoints.yml"

    @property
    def test_set(self) -> Path:
        return self.root / "tests" / "nlu" / "test_nlu.yml"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def current_model(self) -> Path:
        return self.models / "current.tar.gz"

    @property
    def candidate_model(self) -> Path:
        return self.models / "candidate.tar.gz"

    @property
    def previous_model(self) -> Path:
        return self.models / "previous.tar.gz"

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def reports(self) -> Path:
        """Evaluation of the model in service."""
        return self.results / "nlu"

    @property
    def candidate_reports(self) -> Path:
        return self.results / "candidate"

    @property
    def verdict(self) -> Path:
        """The gate's verdict on the candidate (gate.save_verdict)."""
        return self.candidate_reports / "verdict.json"

    @property
    def baseline(self) -> Path:
        return self.results / "baseline.json"

    def relative(self, path: Path) -> str:
        """`path` as staff would type it from the project directory."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def rasa_executable() -> str:
    """The `rasa` of the interpreter running us (the project's venv)."""
    beside = Path(sys.executable).with_name("rasa")
    if beside.exists():
        return str(beside)
    found = shutil.which("rasa")
    if found is None:
        raise StaffError("не знайдено програму rasa; запустіть `make install`")
    return found


def run_rasa(args: List[str], project: Project, log: Optional[Path] = None) -> None:
    """Runs `rasa <args>` in the project directory; raises with the log's tail on failure.

    Output goes to `log` (Rasa is verbose and prints progress bars); staff get
    our short summary instead.
    """
    env: Dict[str, str] = {
        **environment(),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": env_str("TF_CPP_MIN_LOG_LEVEL", "2"),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        # The custom tokenizer is imported from the code checkout.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env_str("PYTHONPATH")])),
    }
    log = log or project.results / "rasa.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as output:
        completed = subprocess.run(
            [rasa_executable(), *args],
            cwd=project.root,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if completed.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
        raise StaffError(
            f"`rasa {args[0]} {args[1] if len(args) > 1 else ''}` завершилася "
            f"з помилкою (журнал: {project.relative(log)}):\n{tail}"
        )
